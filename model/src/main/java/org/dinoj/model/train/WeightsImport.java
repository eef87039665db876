package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.checkpoint.StateDictLoader;
import org.dinoj.model.checkpoint.StateDictWrapping;
import org.dinoj.model.checkpoint.TimmDinov2Keys;
import org.dinoj.model.nn.BicubicPositionInterpolation;
import org.dinoj.model.nn.DinoHead;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.config.DinoV2Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a PyTorch state dict saved as safetensors (an official dinov2 backbone, optionally with
 * {@code dino_head.*} / {@code ibot_head.*}, or a timm {@code vit_*_patch14[_reg4]_dinov2} state
 * dict) into a complete dinoj checkpoint directory at step 0: student = teacher = the weights, heads
 * fresh from {@code train.seed} when the file has none, zero AdamW moments and centers, and a
 * {@code trainer.json}, so that {@code eval knn --checkpoint} reads it and a {@link DinoV2Session}
 * resumes (continues pretraining) from it.
 *
 * <p>When the file's position-embedding grid {@code M x M} differs from the configuration's
 * {@code G x G} (global crop size / patch size), the patch rows are resized once with PyTorch's
 * bicubic kernel (align_corners=False; {@link BicubicPositionInterpolation#weights1d}) as the file's
 * own code resizes them: a dinov2 file as dinov2's {@code interpolate_pos_encoding} does at G (the
 * configuration's {@code student.interpolate_offset}: 0.1, or 0 as dinov2's register recipes set it,
 * whose antialiased downsizing is not reproduced), so the imported model at G gives dinov2's features
 * at that size; a timm file (a register token or no mask token) as timm's
 * {@code resample_abs_pos_embed} does when loading at another image size (no offset). The CLS row is kept. Everything else must match the
 * configuration exactly.
 */
public final class WeightsImport {
    private static final Logger LOG = LoggerFactory.getLogger(WeightsImport.class);
    private static final String DINO_HEAD = DinoV2Model.DINO_HEAD + ".";
    private static final String IBOT_HEAD = DinoV2Model.IBOT_HEAD + ".";

    private WeightsImport() {
    }

    /**
     * What was imported: the written checkpoint, whether heads came from the file, the grid change,
     * and the prefix its keys were read under ({@link StateDictWrapping}; empty for a bare state dict).
     */
    public record Result(Checkpoint checkpoint, boolean timmNaming, boolean dinoHeadFromFile,
                         boolean ibotHeadFromFile, int sourceGrid, int targetGrid, String keyPrefix) {
    }

    /**
     * Reads {@code in} and writes the checkpoint directory {@code out} (which must not exist yet).
     *
     * @throws IllegalArgumentException a key that is missing, unexpected or of the wrong shape (named)
     */
    public static Result importWeights(Path in, Path out, DinoV2Config config) throws IOException {
        if (Files.exists(out)) {
            throw new IOException("import target " + out + " already exists: choose a new directory");
        }
        try (SafeTensorsFile file = SafeTensors.read(in);
             HostArena arena = new HostArena();
             Backend backend = new ReferenceBackend(Precision.F32)) {
            Map<String, Tensor> backboneSource = new LinkedHashMap<>();
            Map<String, Tensor> dinoHeadSource = new LinkedHashMap<>();
            Map<String, Tensor> ibotHeadSource = new LinkedHashMap<>();
            boolean timm = false;
            StateDictWrapping wrapping = StateDictWrapping.of(file.names());
            for (Map.Entry<String, String> named : wrapping.keys().entrySet()) {
                String key = named.getKey();
                Tensor tensor = file.tensor(named.getValue());
                requireFinite(in, named.getValue(), tensor);
                if (key.startsWith(DINO_HEAD)) {
                    dinoHeadSource.put(key.substring(DINO_HEAD.length()), tensor);
                } else if (key.startsWith(IBOT_HEAD)) {
                    ibotHeadSource.put(key.substring(IBOT_HEAD.length()), tensor);
                } else {
                    backboneSource.put(key, tensor);
                    timm |= key.equals("reg_token");
                }
            }
            if (!backboneSource.containsKey("pos_embed")) {
                throw new IllegalArgumentException(in + " has no tensor 'pos_embed': it is not a dinov2 or timm DINOv2"
                        + " backbone state dict (first keys " + file.names().stream().sorted().limit(4).toList() + ")");
            }
            if (!wrapping.prefix().isEmpty()) {
                LOG.info("{}: the model's keys were read under '{}' ({} of the file's {} tensors)", in, wrapping.prefix(),
                        wrapping.keys().size(), file.names().size());
            }
            Tensor sourcePos = backboneSource.get("pos_embed");
            // timm's ViTs have no mask token (they never train with masks), and its register models no CLS slot.
            timm |= !hasClsSlot(sourcePos) || !backboneSource.containsKey(TimmDinov2Keys.MASK_TOKEN);
            Map<String, Tensor> backbone = TimmDinov2Keys.fromTimm(backboneSource, arena);

            requireSameShape(in, backbone, config.vit());
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            DinoV2Model model = new DinoV2Model(context, config.vit(), config.dinoHead(),
                    config.ibot().separateHead() ? config.ibotHead() : null, config.train().seed());
            List<Parameter> student = model.studentBackbone().parameters();
            Tensor targetPos = parameter(student, "pos_embed").value();
            int sourceGrid = grid(in, backbone.get("pos_embed"));
            int targetGrid = grid(in, targetPos);
            if (sourceGrid != targetGrid && backbone.get("pos_embed").size(2) == targetPos.size(2)) {
                // As the model will interpolate at run time (student.interpolate_offset: 0.1, or 0 as dinov2's
                // register recipes set it); timm never offsets.
                double offset = timm ? 0 : config.vit().interpolateOffset();
                backbone.put("pos_embed", resized(backbone.get("pos_embed"), sourceGrid, targetGrid, offset, arena));
                LOG.info("position embeddings of {} resized from a {}x{} to a {}x{} grid (bicubic, offset {}, as {} does)",
                        in, sourceGrid, sourceGrid, targetGrid, targetGrid, offset, timm ? "timm" : "dinov2");
            }
            // timm's models have no mask_token: dinov2's init (zeros) stays.
            List<String> kept = StateDictLoader.load(student, backbone, Set.of(TimmDinov2Keys.MASK_TOKEN));
            if (!kept.isEmpty()) {
                LOG.info("{} has no {}: it keeps dinov2's initial value (zeros)", in, kept);
            }
            boolean dinoFromFile = loadHead("dino_head", model.studentDinoHead(), dinoHeadSource, in);
            boolean ibotFromFile = false;
            if (!ibotHeadSource.isEmpty()) {
                if (!model.separateIbotHead()) {
                    throw new IllegalArgumentException(in + " has ibot_head.* tensors but the configuration shares the"
                            + " DINO head for iBOT (ibot.separate_head=false): set ibot.separate_head=true");
                }
                ibotFromFile = loadHead("ibot_head", model.studentIbotHead(), ibotHeadSource, in);
            }
            model.copyStudentIntoTeacher(backend);
            Checkpoint checkpoint = CheckpointStore.writeDirectory(out, 0,
                    dir -> writeCheckpointFiles(dir, model, config, in, arena));
            return new Result(checkpoint, timm, dinoFromFile, ibotFromFile, sourceGrid, targetGrid, wrapping.prefix());
        }
    }

    /**
     * A file of another architecture (the default configuration is vits14) is said in one sentence
     * with both shapes, before a strict load would list every one of its keys as missing or misshapen.
     */
    private static void requireSameShape(Path in, Map<String, Tensor> backbone, ViTConfig vit) {
        Tensor patch = backbone.get("patch_embed.proj.weight");
        Tensor pos = backbone.get("pos_embed");
        if (patch == null || patch.shape().length != 4 || pos == null) {
            return; // the strict load names what is missing
        }
        int depth = 0;
        while (backbone.containsKey("blocks." + depth + ".norm1.weight")) {
            depth++;
        }
        Tensor registers = backbone.get("register_tokens");
        long fileRegisters = registers == null ? 0 : registers.size(1);
        String file = shape(depth, patch.size(0), patch.size(2), patch.size(1), fileRegisters);
        String model = shape(vit.depth(), vit.embedDim(), vit.patchSize(), vit.inChannels(), vit.registerTokens());
        if (!file.equals(model)) {
            throw new IllegalArgumentException(in + " holds a ViT of " + file + "; the configuration builds one of "
                    + model + ": give --config with the model these weights belong to (or --set student.KEY=... for what differs)");
        }
    }

    private static String shape(long depth, long width, long patch, long channels, long registers) {
        return "depth " + depth + ", width " + width + ", patch " + patch + ", " + channels + " channel(s), " + registers
                + " register token(s)";
    }

    /** A NaN or infinity in a weight makes every feature NaN: refused here, not found by an embedding later. */
    private static void requireFinite(Path in, String key, Tensor t) {
        float[] values = t.toFloatArray();
        int bad = 0;
        int first = -1;
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                bad++;
                first = first < 0 ? i : first;
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException("tensor '" + key + "' of " + in + " holds " + bad + " non-finite value(s)"
                    + " (first: " + values[first] + " at flat index " + first + "): these weights would give NaN features;"
                    + " export them again from a model that is finite");
        }
    }

    /** Loads {@code source} (names without the head prefix) into {@code head}, strictly; false when absent. */
    private static boolean loadHead(String name, DinoHead head, Map<String, Tensor> source, Path in) {
        if (source.isEmpty()) {
            LOG.info("{} has no {}.*: the head starts fresh from the configuration's seed", in, name);
            return false;
        }
        try {
            StateDictLoader.load(head.parameters(), source, Set.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " of " + in + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** model.safetensors, optimizer.safetensors (zero moments), trainer.json and config.yaml at step 0, as a session writes them. */
    private static void writeCheckpointFiles(Path dir, DinoV2Model model, DinoV2Config config, Path in,
                                             HostArena arena) throws IOException {
        Map<String, Tensor> modelTensors = new LinkedHashMap<>();
        model.checkpointParameters().forEach((key, p) -> modelTensors.put(key, p.value()));
        if (config.train().centering() == CenteringMode.CENTERING) {
            int dinoK = config.dinoHead().prototypes();
            int ibotK = model.separateIbotHead() ? config.ibotHead().prototypes() : dinoK;
            modelTensors.put(DinoV2Session.DINO_CENTER, arena.allocate(DType.F32, 1, dinoK));
            modelTensors.put(DinoV2Session.IBOT_CENTER, arena.allocate(DType.F32, 1, ibotK));
        }
        Map<String, Tensor> moments = new LinkedHashMap<>();
        for (GroupedParameter g : DinoV2Step.parameterGroups(model, config.ssl())) {
            String key = "student." + g.subModule() + "." + g.parameter().name();
            long[] shape = g.parameter().value().shape();
            moments.put(key + ".exp_avg", arena.allocate(DType.F32, shape));
            moments.put(key + ".exp_avg_sq", arena.allocate(DType.F32, shape));
        }
        Map<String, String> meta = Map.of("format", "dinoj", "step", "0", "arch", config.vit().name(),
                "imported_from", in.getFileName().toString());
        SafeTensors.write(dir.resolve(DinoV2Session.MODEL_FILE), modelTensors, meta);
        SafeTensors.write(dir.resolve(DinoV2Session.OPTIMIZER_FILE), moments, meta);
        TrainerState state = new TrainerState(TrainerState.FORMAT, 0, 0, 0, 0, 0, 1.0, config.train().seed(), 0, 1,
                config.train().centering().key(), config.recipeSha256(), 0, null);
        Files.writeString(dir.resolve(DinoV2Session.TRAINER_FILE), DinoV2Session.JSON.writeValueAsString(state));
        DinoV2Session.writeConfig(dir, config);
    }

    /**
     * {@code pos [1, 1 + M*M, D]} -> {@code [1, 1 + G*G, D]}: CLS row copied, the M x M grid resized
     * bicubically to G x G with dinov2's {@code offset} (0: timm's resize to G), computed in double on
     * the host; a one-off at import.
     */
    static Tensor resized(Tensor pos, int m, int g, double offset, HostArena arena) {
        long dim = pos.size(2);
        double[] w = BicubicPositionInterpolation.weights1d(m, g, offset);
        Tensor out = arena.allocate(pos.dtype(), 1, 1 + (long) g * g, dim);
        for (long d = 0; d < dim; d++) {
            out.setFlat(d, pos.getFlat(d));
        }
        double[] row = new double[(int) dim];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                Arrays.fill(row, 0);
                for (int a = 0; a < m; a++) {
                    double wy = w[i * m + a];
                    if (wy == 0) {
                        continue;
                    }
                    for (int c = 0; c < m; c++) {
                        double wyx = wy * w[j * m + c];
                        if (wyx == 0) {
                            continue;
                        }
                        long src = (1 + (long) a * m + c) * dim;
                        for (int d = 0; d < dim; d++) {
                            row[d] += wyx * pos.getFlat(src + d);
                        }
                    }
                }
                long dst = (1 + (long) i * g + j) * dim;
                for (int d = 0; d < dim; d++) {
                    out.setFlat(dst + d, row[d]);
                }
            }
        }
        return out;
    }

    /** M of a {@code [1, 1 + M*M, D]} position embedding. */
    private static int grid(Path in, Tensor pos) {
        if (pos.rank() != 3 || pos.size(0) != 1) {
            throw new IllegalArgumentException("tensor 'pos_embed' of " + in + " has shape " + Arrays.toString(pos.shape())
                    + "; a ViT position embedding is [1, 1 + M*M, D]");
        }
        long patches = pos.size(1) - 1;
        long side = Math.round(Math.sqrt(patches));
        if (side * side != patches) {
            throw new IllegalArgumentException("tensor 'pos_embed' of " + in + " has " + patches + " patch rows, not a"
                    + " square grid: only square position grids can be imported");
        }
        return Math.toIntExact(side);
    }

    private static boolean hasClsSlot(Tensor pos) {
        long rows = pos.size(1);
        long side = Math.round(Math.sqrt(rows));
        return side * side != rows;
    }

    private static Parameter parameter(List<Parameter> params, String name) {
        List<String> names = new ArrayList<>();
        for (Parameter p : params) {
            if (p.name().equals(name)) {
                return p;
            }
            names.add(p.name());
        }
        throw new IllegalStateException("the configured ViT has no parameter " + name + " (has " + names + ")");
    }
}
