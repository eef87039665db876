package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.checkpoint.WeightsExport;
import org.dinoj.model.checkpoint.WeightsExport.Naming;
import org.dinoj.model.checkpoint.WeightsExport.Side;
import org.dinoj.model.nn.DinoHead;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.VisionTransformer;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj import} and {@code dinoj export} on the tiny test model: a dinov2-named state dict
 * goes in and comes out bit for bit, the imported checkpoint resumes as a training session, the
 * position grid is resized with torch's bicubic kernel, and every user error names what is wrong.
 * The numeric agreement with timm (features after export and after import) is in tests/ (crosscheck).
 */
class WeightsInteropTest {
    /** tiny-test with 2 registers and a separate iBOT head, so every kind of key is exercised. */
    private static final List<String> TINY = List.of("student.num_register_tokens=2", "ibot.separate_head=true");

    @TempDir
    Path dir;

    /** A dinov2-named backbone (+ DINO head) state dict of {@code config}'s architecture from other seeds. */
    private static Path writeStateDict(Path file, DinoV2Config config, boolean withDinoHead) throws IOException {
        try (ReferenceBackend backend = new ReferenceBackend(Precision.F32); HostArena arena = new HostArena()) {
            LayerContext context = new LayerContext(backend, arena, DType.F32);
            VisionTransformer vit = new VisionTransformer(context, config.vit(), 41);
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (Parameter p : vit.parameters()) {
                state.put(p.name(), p.value());
            }
            // mask_token is zero at init; a non-zero value shows that it is carried over.
            Tensor mask = state.get("mask_token");
            for (long i = 0; i < mask.numel(); i++) {
                mask.setFlat(i, 0.01 * (i + 1));
            }
            if (withDinoHead) {
                for (Parameter p : new DinoHead(context, config.dinoHead(), 43).parameters()) {
                    state.put("dino_head." + p.name(), p.value());
                }
            }
            SafeTensors.write(file, state, Map.of("format", "pt"));
        }
        return file;
    }

    @Test
    void importedWeightsExportBitForBitAndResumeAsATrainingSession() throws IOException, NonFiniteStepException {
        DinoV2Config config = DinoV2Config.load("tiny-test", TINY);
        Path source = writeStateDict(dir.resolve("in.safetensors"), config, true);
        Path checkpoint = dir.resolve("imported");
        WeightsImport.Result r = WeightsImport.importWeights(source, checkpoint, config);
        assertThat(r.timmNaming()).isFalse();
        assertThat(r.dinoHeadFromFile()).isTrue();
        assertThat(r.ibotHeadFromFile()).isFalse();
        assertThat(CheckpointStore.verifyDirectory(checkpoint).step()).isZero();
        // It names the configuration it was made with, as a trained checkpoint does.
        assertThat(DinoV2Session.trainedConfig(checkpoint, List.of()).orElseThrow().recipeSha256())
                .isEqualTo(config.recipeSha256());

        for (Side side : Side.values()) {
            Path out = dir.resolve(side + ".safetensors");
            WeightsExport.export(checkpoint, out, side, false, Naming.DINOV2, false);
            try (SafeTensorsFile in = SafeTensors.read(source); SafeTensorsFile exported = SafeTensors.read(out)) {
                assertThat(exported.names()).containsAll(in.names())
                        .contains("register_tokens", "mask_token", "patch_embed.proj.weight", "blocks.1.ls2.gamma",
                                "norm.bias", "dino_head.last_layer.weight_g", "ibot_head.last_layer.weight_v")
                        .noneMatch(n -> n.startsWith("teacher.") || n.startsWith("student.") || n.contains("center"));
                for (String name : in.names()) {
                    assertThat(exported.tensor(name).shape()).as(name).isEqualTo(in.tensor(name).shape());
                    assertThat(exported.tensor(name).toFloatArray()).as(side + " " + name)
                            .isEqualTo(in.tensor(name).toFloatArray());
                }
                assertThat(exported.tensor("patch_embed.proj.weight").shape()).containsExactly(32, 1, 4, 4);
            }
        }
        Path backbone = dir.resolve("backbone.safetensors");
        WeightsExport.export(checkpoint, backbone, Side.TEACHER, true, Naming.DINOV2, false);
        try (SafeTensorsFile exported = SafeTensors.read(backbone)) {
            assertThat(exported.names()).noneMatch(n -> n.contains("head"));
        }
        Path timm = dir.resolve("timm.safetensors");
        WeightsExport.export(checkpoint, timm, Side.TEACHER, true, Naming.TIMM, false);
        try (SafeTensorsFile exported = SafeTensors.read(timm)) {
            assertThat(exported.names()).contains("reg_token", "cls_token").doesNotContain("mask_token", "register_tokens");
            assertThat(exported.tensor("pos_embed").shape()).containsExactly(1, 16, 32); // timm reg models: no CLS slot
        }
        // timm naming -> import -> the same function: CLS + its position row folded, zero CLS row.
        Path again = dir.resolve("again");
        assertThat(WeightsImport.importWeights(timm, again, config).timmNaming()).isTrue();

        // What eval knn --checkpoint opens: the teacher backbone, every tensor by name and shape.
        try (TeacherFeatures teacher = TeacherFeatures.open(config, checkpoint)) {
            assertThat(teacher.name()).isEqualTo(TeacherFeatures.NAME);
        }
        try (DinoV2Session session = DinoV2Session.open(config, 0, 1, checkpoint)) {
            assertThat(session.step()).isZero();
            assertThat(session.trainStep().loss()).isFinite();
        }
    }

    /**
     * Weights as training code saves them: a dinoj checkpoint's own model.safetensors (student and
     * teacher under their prefixes, with AdamW moments and centers) imports its teacher, and a
     * DDP-wrapped backbone in half precision imports as the same weights widened.
     */
    @Test
    void wrappedKeysAndHalfPrecisionImportAsTheModelTheyHold() throws IOException {
        DinoV2Config config = DinoV2Config.load("tiny-test", TINY);
        Path source = writeStateDict(dir.resolve("in.safetensors"), config, true);
        Path first = dir.resolve("first");
        WeightsImport.importWeights(source, first, config);
        // Training moves the teacher away from the student: the import must take the teacher's values.
        Path trained = dir.resolve("trained.safetensors");
        try (SafeTensorsFile model = SafeTensors.read(first.resolve(DinoV2Session.MODEL_FILE)); HostArena arena = new HostArena()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String name : model.names()) {
                Tensor t = model.tensor(name);
                Tensor copy = arena.allocate(t.dtype(), t.shape());
                for (long i = 0; i < t.numel(); i++) {
                    copy.setFlat(i, t.getFlat(i) + (name.startsWith("teacher.") ? 0.5 : 0));
                }
                state.put(name, copy);
            }
            SafeTensors.write(trained, state, Map.of());
        }
        WeightsImport.Result fromCheckpoint = WeightsImport.importWeights(trained, dir.resolve("from-checkpoint"), config);
        assertThat(fromCheckpoint.keyPrefix()).isEqualTo("teacher.backbone.");
        assertThat(fromCheckpoint.dinoHeadFromFile()).isTrue();
        try (SafeTensorsFile in = SafeTensors.read(source);
             SafeTensorsFile out = SafeTensors.read(dir.resolve("from-checkpoint").resolve(DinoV2Session.MODEL_FILE))) {
            assertThat(out.tensor("student.backbone.norm.weight").getFlat(0)).isEqualTo(in.tensor("norm.weight").getFlat(0) + 0.5);
            assertThat(out.tensor("teacher.dino_head.last_layer.weight_g").getFlat(0))
                    .isEqualTo(in.tensor("dino_head.last_layer.weight_g").getFlat(0) + 0.5, org.assertj.core.data.Offset.offset(1e-6));
        }

        // DDP's prefix, in F16: written by hand (dinoj writes no halves), read back widened exactly.
        Path half = dir.resolve("half.safetensors");
        Map<String, float[]> halves = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafeTensorsFile in = SafeTensors.read(source)) {
            for (String name : in.names()) {
                float[] values = in.tensor(name).toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    values[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
                }
                halves.put("module.backbone." + name, values);
                shapes.put("module.backbone." + name, in.tensor(name).shape());
            }
        }
        writeF16(half, halves, shapes);
        WeightsImport.Result fromHalves = WeightsImport.importWeights(half, dir.resolve("from-halves"), config);
        assertThat(fromHalves.keyPrefix()).isEqualTo("module.backbone.");
        try (SafeTensorsFile out = SafeTensors.read(dir.resolve("from-halves").resolve(DinoV2Session.MODEL_FILE))) {
            assertThat(out.tensor("teacher.backbone.blocks.1.mlp.fc1.weight").toFloatArray())
                    .isEqualTo(halves.get("module.backbone.blocks.1.mlp.fc1.weight"));
        }
    }

    /** A safetensors file of F16 tensors, laid out as the format says: header length, JSON header, little-endian data. */
    private static void writeF16(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, float[]> t : tensors.entrySet()) {
            long end = offset + 2L * t.getValue().length;
            header.append(header.length() > 1 ? "," : "").append('"').append(t.getKey()).append("\":{\"dtype\":\"F16\",\"shape\":")
                    .append(java.util.Arrays.toString(shapes.get(t.getKey())).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        byte[] json = header.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8 + json.length + (int) offset)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        for (float[] values : tensors.values()) {
            for (float v : values) {
                buffer.putShort(Float.floatToFloat16(v));
            }
        }
        java.nio.file.Files.write(file, buffer.array());
    }

    @Test
    void aSmallerPositionGridIsResizedBicubicallyAndTheRestMustFit() throws IOException {
        DinoV2Config small = DinoV2Config.load("tiny-test", List.of("crops.global_crops_size=8",
                "crops.local_crops_size=4"));
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of());
        Path source = writeStateDict(dir.resolve("grid2.safetensors"), small, false);
        WeightsImport.Result r = WeightsImport.importWeights(source, dir.resolve("c"), config);
        assertThat(r.sourceGrid()).isEqualTo(2);
        assertThat(r.targetGrid()).isEqualTo(4);
        assertThat(r.dinoHeadFromFile()).isFalse();
        try (SafeTensorsFile in = SafeTensors.read(source);
             SafeTensorsFile model = SafeTensors.read(dir.resolve("c").resolve(DinoV2Session.MODEL_FILE))) {
            Tensor pos = model.tensor("teacher.backbone.pos_embed");
            assertThat(pos.shape()).containsExactly(1, 17, 32);
            Tensor from = in.tensor("pos_embed");
            for (int d = 0; d < 32; d++) {
                assertThat(pos.getFlat(d)).isEqualTo(from.getFlat(d)); // CLS row as is
            }
            // A dinov2 file: resized as dinov2 resizes at this grid, with its 0.1 offset (checked against torch above).
            try (HostArena arena = new HostArena()) {
                Tensor dinov2 = WeightsImport.resized(from, 2, 4, 0.1, arena);
                Tensor timm = WeightsImport.resized(from, 2, 4, 0, arena);
                for (long i = 32; i < 17 * 32; i++) {
                    assertThat(pos.getFlat(i)).isCloseTo(dinov2.getFlat(i), org.assertj.core.data.Offset.offset(1e-6));
                }
                assertThat(pos.getFlat(32)).isNotCloseTo(timm.getFlat(32), org.assertj.core.data.Offset.offset(1e-7));
            }
        }
    }

    /**
     * The grid resize against torch 1.13's {@code F.interpolate(mode='bicubic', align_corners=False)},
     * values printed by torch (f64) for a 2x2 grid [[0, 1], [2, 3]] to 4x4, and for the squares of
     * 0..8 on a 3x3 grid down to 2x2. Tolerance 1e-12: both are a few f64 multiply-adds.
     */
    @Test
    void resizeMatchesTorchBicubic() {
        double[] up = {-0.31640625, 0.015625, 0.5625, 0.89453125, 0.34765625, 0.6796875, 1.2265625, 1.55859375,
                1.44140625, 1.7734375, 2.3203125, 2.65234375, 2.10546875, 2.4375, 2.984375, 3.31640625};
        double[] down = {1.430755615234375, 6.522369384765625, 32.397369384765625, 53.180755615234375};
        try (HostArena arena = new HostArena()) {
            checkResize(arena, new double[] {0, 1, 2, 3}, 2, 4, 0, up);
            checkResize(arena, squares(), 3, 2, 0, down);
        }
    }

    /**
     * A dinov2 file is resized as dinov2's interpolate_pos_encoding does at the target grid: torch's
     * bicubic called with {@code scale_factor = (G + 0.1) / M} (values printed by torch, f64, for
     * the same two grids).
     */
    @Test
    void resizeWithDinov2sOffsetMatchesTorch() {
        double[] up = {-0.3188745991787685, -0.0047563514748761955, 0.5290794895605129, 0.8851171087186792,
                0.30936189622901594, 0.6234801439329077, 1.1573159849682968, 1.513353604126463, 1.377033578299794,
                1.6911518260036855, 2.2249876670390747, 2.5810252861972414, 2.0891088166161262, 2.4032270643200175,
                2.937062905355407, 3.293100524513574};
        double[] down = {1.2503161383383943, 5.705468886130548, 29.14715984822966, 48.15864860397766};
        try (HostArena arena = new HostArena()) {
            checkResize(arena, new double[] {0, 1, 2, 3}, 2, 4, 0.1, up);
            checkResize(arena, squares(), 3, 2, 0.1, down);
        }
    }

    private static double[] squares() {
        double[] squares = new double[9];
        for (int i = 0; i < 9; i++) {
            squares[i] = i * i;
        }
        return squares;
    }

    private static void checkResize(HostArena arena, double[] grid, int m, int g, double offset, double[] expected) {
        Tensor pos = arena.allocate(DType.F64, 1, 1 + (long) m * m, 1);
        pos.setFlat(0, 7);
        for (int i = 0; i < grid.length; i++) {
            pos.setFlat(1 + i, grid[i]);
        }
        Tensor out = WeightsImport.resized(pos, m, g, offset, arena);
        assertThat(out.getFlat(0)).isEqualTo(7);
        for (int i = 0; i < expected.length; i++) {
            assertThat(out.getFlat(1 + i)).as("row " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void aMissingOrMisshapenKeyIsNamed() throws IOException {
        DinoV2Config config = DinoV2Config.load("tiny-test", TINY);
        Path source = writeStateDict(dir.resolve("in.safetensors"), config, false);
        Path lacking = dir.resolve("lacking.safetensors");
        Path wider = dir.resolve("wider.safetensors");
        Path nan = dir.resolve("nan.safetensors");
        try (SafeTensorsFile in = SafeTensors.read(source); HostArena arena = new HostArena()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String name : in.names()) {
                state.put(name, in.tensor(name));
            }
            Tensor norm = arena.allocate(DType.F32, state.get("norm.weight").shape());
            norm.setFlat(3, Float.NaN);
            Map<String, Tensor> withNan = new LinkedHashMap<>(state);
            withNan.put("norm.weight", norm);
            SafeTensors.write(nan, withNan, Map.of());
            state.remove("blocks.1.attn.qkv.weight");
            SafeTensors.write(lacking, state, Map.of());
            state.put("blocks.1.attn.qkv.weight", arena.allocate(DType.F32, 96, 33));
            SafeTensors.write(wider, state, Map.of());
        }
        assertThatThrownBy(() -> WeightsImport.importWeights(lacking, dir.resolve("a"), config))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing [blocks.1.attn.qkv.weight]");
        assertThatThrownBy(() -> WeightsImport.importWeights(wider, dir.resolve("b"), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blocks.1.attn.qkv.weight [96, 33] vs the model's [96, 32]");
        assertThat(dir.resolve("a")).doesNotExist();
        assertThatThrownBy(() -> WeightsImport.importWeights(nan, dir.resolve("n"), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'norm.weight' of " + nan + " holds 1 non-finite value(s) (first: NaN at flat index 3):"
                        + " these weights would give NaN features; export them again from a model that is finite");
        assertThat(dir.resolve("n")).doesNotExist();
        // Another architecture altogether (import's default configuration is vits14): both shapes, not every key.
        org.dinoj.model.nn.ViTConfig file = config.vit();
        assertThatThrownBy(() -> WeightsImport.importWeights(source, dir.resolve("v"), DinoV2Config.load("vits14", List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(source + " holds a ViT of depth " + file.depth() + ", width " + file.embedDim() + ", patch "
                        + file.patchSize() + ", " + file.inChannels() + " channel(s), " + file.registerTokens()
                        + " register token(s); the configuration builds one of depth 12, width 384, patch 14, 3 channel(s),"
                        + " 0 register token(s): give --config with the model these weights belong to (or --set"
                        + " student.KEY=... for what differs)");
        Files.createDirectory(dir.resolve("taken"));
        assertThatThrownBy(() -> WeightsImport.importWeights(source, dir.resolve("taken"), config))
                .hasMessageContaining("already exists");
    }

    /** A tiny-test checkpoint made by import from a dinov2-named state dict without heads, as {@code dir/c}. */
    private Path importedTinyCheckpoint() throws IOException {
        DinoV2Config config = DinoV2Config.load("tiny-test", List.of());
        Path checkpoint = dir.resolve("c");
        WeightsImport.importWeights(writeStateDict(dir.resolve("in.safetensors"), config, false), checkpoint, config);
        return checkpoint;
    }

    /** An export replaces nothing it was not asked to, and never writes into a checkpoint folder. */
    @Test
    void exportRefusesAnExistingFileAFolderAndACheckpointsOwnFiles() throws IOException {
        Path checkpoint = importedTinyCheckpoint();
        Path out = dir.resolve("exports/teacher.safetensors");
        WeightsExport.export(checkpoint, out, Side.TEACHER, false, Naming.DINOV2, false);
        byte[] first = Files.readAllBytes(out);

        Files.writeString(out, "someone's notes");
        assertThatThrownBy(() -> WeightsExport.export(checkpoint, out, Side.TEACHER, false, Naming.DINOV2, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--out " + out + " already exists: give another file, or --force to replace it");
        assertThat(Files.readString(out)).isEqualTo("someone's notes");
        WeightsExport.export(checkpoint, out, Side.TEACHER, false, Naming.DINOV2, true);
        assertThat(Files.readAllBytes(out)).isEqualTo(first);
        try (var files = Files.list(out.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("teacher.safetensors");
        }

        assertThatThrownBy(() -> WeightsExport.export(checkpoint, out.getParent(), Side.TEACHER, false, Naming.DINOV2, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a folder: give a file name");
        for (String own : List.of(DinoV2Session.MODEL_FILE, CheckpointStore.MANIFEST, "new.safetensors")) {
            assertThatThrownBy(() -> WeightsExport.export(checkpoint, checkpoint.resolve(own), Side.TEACHER, false,
                    Naming.DINOV2, true)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lies inside the checkpoint folder " + checkpoint);
        }
        assertThat(CheckpointStore.verifyDirectory(checkpoint).step()).isZero();
    }

    @Test
    void exportRefusesMissingAndCorruptCheckpointsInOneSentence() throws IOException {
        Path checkpoint = importedTinyCheckpoint();
        Path out = dir.resolve("out.safetensors");

        assertThatThrownBy(() -> WeightsExport.export(dir.resolve("nowhere"), out, Side.TEACHER, false, Naming.DINOV2, false))
                .isInstanceOf(IOException.class).hasMessageContaining("nowhere is not a directory");
        assertThatThrownBy(() -> WeightsExport.export(checkpoint, out, Side.TEACHER, false, Naming.TIMM, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--backbone-only");

        try (FileChannel ch = FileChannel.open(checkpoint.resolve(DinoV2Session.MODEL_FILE), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42}), ch.size() - 1); // one flipped byte in the last tensor
        }
        assertThatThrownBy(() -> WeightsExport.export(checkpoint, out, Side.TEACHER, false, Naming.DINOV2, false))
                .isInstanceOf(IOException.class).hasMessageContaining("model.safetensors does not match its sha256");
        Files.delete(checkpoint.resolve(CheckpointStore.MANIFEST));
        assertThatThrownBy(() -> WeightsExport.export(checkpoint, out, Side.TEACHER, false, Naming.DINOV2, false))
                .isInstanceOf(IOException.class).hasMessageContaining("has no MANIFEST.json");
        assertThat(out).doesNotExist();
    }
}
