package org.dinoj.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;

/**
 * Writes the weights of one side (teacher or student) of a verified dinoj checkpoint as a
 * safetensors file that PyTorch loads as a state dict:
 * <ul>
 *   <li>{@link Naming#DINOV2}: the backbone under the keys of dinov2's {@code DinoVisionTransformer}
 *       ({@code cls_token}, {@code pos_embed}, [{@code register_tokens}], {@code mask_token},
 *       {@code patch_embed.proj.weight [D, C, p, p]}, {@code blocks.N.*}, {@code norm.*}), as in the
 *       released {@code dinov2_vits14} weights; unless backbone-only, the heads as
 *       {@code dino_head.*} and {@code ibot_head.*} (dinov2's {@code DINOHead} with weight norm);</li>
 *   <li>{@link Naming#TIMM}: timm's {@code vit_*_patch14[_reg4]_dinov2} backbone state dict
 *       ({@link TimmDinov2Keys#toTimm}); timm models have no heads, so this naming is backbone-only.</li>
 * </ul>
 * The centering buffers ({@code dino_loss.center}, {@code ibot_patch_loss.center}) are loss state,
 * not model weights, and are not exported. Tensors are written as stored (F32).
 */
public final class WeightsExport {
    /** The checkpoint's model file (written by the trainer and by {@code dinoj import}). */
    public static final String MODEL_FILE = "model.safetensors";

    /** Which side of the student/teacher pair to export. */
    public enum Side {
        TEACHER, STUDENT;

        String prefix() {
            return name().toLowerCase(Locale.ROOT) + ".";
        }
    }

    /** Key naming of the exported state dict. */
    public enum Naming {
        DINOV2, TIMM
    }

    private WeightsExport() {
    }

    /** What was written: the number of tensors and the register-token count of the backbone. */
    public record Result(Checkpoint checkpoint, int tensors, int registerTokens) {
    }

    /**
     * Verifies {@code checkpointDir} against its manifest, then writes {@code side}'s weights to
     * {@code out}: whole or not at all (a temporary file renamed into place), so a full disk or a
     * crash never leaves a partial file, nor destroys the file it was to replace.
     *
     * @param replace whether an existing {@code out} may be replaced (else it is refused)
     * @throws IOException a missing or corrupt checkpoint (one sentence naming the file and why),
     *                     or a checkpoint without the requested side
     * @throws IllegalArgumentException an {@code out} that exists (without {@code replace}), is a
     *                     folder, or lies inside a checkpoint folder
     */
    public static Result export(Path checkpointDir, Path out, Side side, boolean backboneOnly, Naming naming,
                                boolean replace) throws IOException {
        if (naming == Naming.TIMM && !backboneOnly) {
            throw new IllegalArgumentException("timm's DINOv2 models have no DINO/iBOT heads: export with timm naming"
                    + " needs --backbone-only");
        }
        checkTarget(out.toAbsolutePath().normalize(), replace);
        Checkpoint checkpoint = CheckpointStore.verifyDirectory(checkpointDir);
        Path modelFile = checkpoint.file(MODEL_FILE);
        try (SafeTensorsFile file = SafeTensors.read(modelFile); HostArena arena = new HostArena()) {
            String backbonePrefix = side.prefix() + "backbone.";
            Map<String, Tensor> backbone = new LinkedHashMap<>();
            Map<String, Tensor> heads = new LinkedHashMap<>();
            for (String key : sortedNames(file)) {
                if (key.startsWith(backbonePrefix)) {
                    backbone.put(key.substring(backbonePrefix.length()), file.tensor(key));
                } else if (key.startsWith(side.prefix()) && !backboneOnly) {
                    heads.put(key.substring(side.prefix().length()), file.tensor(key));
                }
            }
            if (backbone.isEmpty()) {
                throw new IOException(modelFile + " holds no " + backbonePrefix + "* tensors: it is not a dinoj "
                        + "training checkpoint (keys start with " + file.names().stream().limit(3).toList() + ")");
            }
            Tensor registers = backbone.get("register_tokens");
            int registerTokens = registers == null ? 0 : Math.toIntExact(registers.size(1));
            Map<String, Tensor> state = naming == Naming.TIMM
                    ? TimmDinov2Keys.toTimm(backbone, registerTokens, arena) : new LinkedHashMap<>(backbone);
            state.putAll(heads);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("dinoj_source", checkpoint.directory().getFileName() + " (" + side.name().toLowerCase(Locale.ROOT)
                    + ", step " + checkpoint.step() + ")");
            metadata.put("naming", naming.name().toLowerCase(Locale.ROOT));
            String arch = file.metadata().get("arch");
            if (arch != null) {
                metadata.put("arch", arch);
            }
            writeWhole(out.toAbsolutePath().normalize(), state, metadata);
            return new Result(checkpoint, state.size(), registerTokens);
        }
    }

    private static void checkTarget(Path out, boolean replace) {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder: give a file name, e.g. "
                    + out.resolve("teacher.safetensors"));
        }
        Path folder = out.getParent();
        if (CheckpointStore.isCheckpointFolder(folder)) {
            throw new IllegalArgumentException("--out " + out + " lies inside the checkpoint folder " + folder
                    + ", whose files its manifest names: write the export elsewhere");
        }
        if (Files.exists(out) && !replace) {
            throw new IllegalArgumentException("--out " + out + " already exists: give another file, or --force to"
                    + " replace it");
        }
    }

    private static void writeWhole(Path out, Map<String, Tensor> state, Map<String, String> metadata) throws IOException {
        Files.createDirectories(out.getParent());
        Path temp = out.resolveSibling("." + out.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            SafeTensors.write(temp, state, metadata);
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file's tensor names in a stable order: blocks by number, then the rest alphabetically. */
    private static java.util.List<String> sortedNames(SafeTensorsFile file) {
        return file.names().stream().sorted(WeightsExport::compareKeys).toList();
    }

    /** Orders {@code blocks.2.x} before {@code blocks.10.x}: numeric path segments compare as numbers. */
    static int compareKeys(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c;
            if (x[i].chars().allMatch(Character::isDigit) && y[i].chars().allMatch(Character::isDigit)
                    && !x[i].isEmpty() && !y[i].isEmpty()) {
                c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
