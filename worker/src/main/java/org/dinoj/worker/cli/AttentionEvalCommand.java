package org.dinoj.worker.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Image;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.AttentionMapWriter;
import org.dinoj.model.eval.AttentionMapWriter.Upsampling;
import org.dinoj.model.train.TeacherAttention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj eval attention}: what the teacher's CLS token attends to in the last block, per
 * head and averaged, for chosen images: {@code imgI-input.png}, {@code imgI-headH.png} and
 * {@code imgI-mean.png} in the output directory.
 */
@Command(name = "attention",
        mixinStandardHelpOptions = true,
        description = "Attention maps of the teacher's CLS token (last block, per head and mean) as PNGs.")
public final class AttentionEvalCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private TrainedModelOptions model;

    @Mixin
    private DatasetOption dataset;

    @Option(names = "--split", defaultValue = "test", paramLabel = "train|test", description = "Split to take images from (default: ${DEFAULT-VALUE}).")
    private String split;

    @Option(names = "--images", split = ",", paramLabel = "I", defaultValue = "0,1,2,3",
            description = "Indices of the images in the split (default: ${DEFAULT-VALUE}).")
    private List<Integer> images;

    /** A side of 8192 is 64 MiB of RGB per PNG; beyond it an image's pixel count no longer fits an int array. */
    static final int MAX_SIZE = 8192;

    @Option(names = "--size", defaultValue = "224", paramLabel = "PX",
            description = "Side of the written PNGs in pixels (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--upsampling", defaultValue = "nearest", paramLabel = "nearest|bilinear",
            description = "Patch grid to pixels: nearest (one block per patch, as DINO) or bilinear (default: ${DEFAULT-VALUE}).")
    private String upsampling;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the PNGs (created if missing).")
    private Path out;

    @Override
    public Integer call() throws Exception {
        if (model.checkpoint == null) {
            throw new IllegalArgumentException("attention maps come from a checkpoint's teacher: give --checkpoint DIR");
        }
        TrainedModelOptions.refuseCheckpointFolder(out);
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("--size " + size + " must lie in [1, " + MAX_SIZE + "] pixels");
        }
        Upsampling mode = switch (upsampling.strip().toLowerCase(Locale.ROOT)) {
            case "nearest" -> Upsampling.NEAREST;
            case "bilinear" -> Upsampling.BILINEAR;
            default -> throw new IllegalArgumentException("unknown --upsampling '" + upsampling + "': use nearest or bilinear");
        };
        Dataset data = dataset.open(Split.parse(split.strip()), model);
        for (int index : images) {
            if (index < 0 || index >= data.size()) {
                throw new IllegalArgumentException("image " + index + " is not in " + data.describe() + ": give indices from 0 to "
                        + (data.size() - 1));
            }
        }
        PrintWriter printer = spec.commandLine().getOut();
        try (TeacherAttention teacher = model.openTeacher(TeacherAttention::open, model.trainedConfig())) {
            for (int index : images) {
                Image image = read(data, index);
                TeacherAttention.Maps maps = teacher.maps(image);
                String prefix = "img" + index;
                List<Path> files = new ArrayList<>();
                files.add(AttentionMapWriter.writeCrop(maps.crop(), teacher.channels(), teacher.cropSize(), size, size,
                        out.resolve(prefix + "-input.png")));
                files.addAll(AttentionMapWriter.write(maps.weights(), maps.heads(), maps.gridHeight(), maps.gridWidth(), size, size,
                        mode, out, prefix));
                printer.printf(Locale.ROOT, "image %d (%s): %d heads on a %dx%d patch grid -> %d PNGs in %s%n", index,
                        data.source(index), maps.heads(), maps.gridHeight(), maps.gridWidth(), files.size(), out);
            }
        }
        printer.flush();
        return 0;
    }

    private static Image read(Dataset data, int index) {
        try {
            return data.image(index);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + data.source(index) + ": " + e.getMessage(), e);
        }
    }
}
