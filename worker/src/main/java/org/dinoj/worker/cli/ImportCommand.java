package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.model.train.WeightsImport;
import org.dinoj.model.train.config.DinoV2Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj import}: an official dinov2 or timm DINOv2 state dict (safetensors) as a dinoj
 * checkpoint directory (student = teacher = the weights) for evaluation or continued pretraining.
 */
@Command(name = "import",
        mixinStandardHelpOptions = true,
        description = "Makes a dinoj checkpoint from a dinov2- or timm-named safetensors state dict.")
public final class ImportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE.safetensors",
            description = "State dict: dinov2 backbone keys (optionally dino_head.*, ibot_head.*) or timm's.")
    private Path in;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint directory.")
    private Path out;

    @Option(names = "--config", defaultValue = "vits14", paramLabel = "PRESET|FILE.yaml",
            description = "Training configuration whose architecture the weights fit (default: ${DEFAULT-VALUE}).")
    private String config;

    @Option(names = "--set", paramLabel = "key=value", description = "Dotted configuration override (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        DinoV2Config parsed = DinoV2Config.load(config, overrides);
        WeightsImport.Result r = WeightsImport.importWeights(in, out, parsed);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "imported %s (%s naming) as %s for %s: DINO head %s, iBOT head %s%s%n", in,
                r.timmNaming() ? "timm" : "dinov2", r.checkpoint().directory(), parsed.vit().name(),
                r.dinoHeadFromFile() ? "from the file" : "fresh",
                parsed.ibot().separateHead() ? (r.ibotHeadFromFile() ? "from the file" : "fresh") : "shared",
                r.sourceGrid() != r.targetGrid() ? String.format(Locale.ROOT, ", position grid %dx%d resized to %dx%d",
                        r.sourceGrid(), r.sourceGrid(), r.targetGrid(), r.targetGrid()) : "");
        if (!r.keyPrefix().isEmpty()) {
            stdout.println("the model's weights were read under the keys' prefix '" + r.keyPrefix() + "'"
                    + (r.keyPrefix().contains("teacher.") ? ": the teacher, which the training evaluated" : ""));
        }
        return 0;
    }
}
