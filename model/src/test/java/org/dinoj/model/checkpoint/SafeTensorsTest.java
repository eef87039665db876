package org.dinoj.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** Checkpoints written by different JVMs must be byte-equal when their contents are (exact resume). */
    @Test
    void theBytesDoNotDependOnTheMetadataMapsIterationOrder() throws IOException {
        try (HostArena arena = new HostArena()) {
            Map<String, Tensor> tensors = Map.of("w", arena.f32(2).copyFrom(new float[] {1, 2}));
            Map<String, String> forward = new LinkedHashMap<>();
            forward.put("arch", "vit_micro_p4");
            forward.put("format", "dinoj");
            forward.put("step", "40");
            Map<String, String> backward = new LinkedHashMap<>();
            backward.put("step", "40");
            backward.put("format", "dinoj");
            backward.put("arch", "vit_micro_p4");
            SafeTensors.write(dir.resolve("a.safetensors"), tensors, forward);
            SafeTensors.write(dir.resolve("b.safetensors"), tensors, backward);
            assertThat(Files.readAllBytes(dir.resolve("b.safetensors")))
                    .isEqualTo(Files.readAllBytes(dir.resolve("a.safetensors")));
        }
    }

    @Test
    void roundTripsTensorsOfEachDtypeAndStridedViews() throws IOException {
        try (HostArena arena = new HostArena()) {
            Tensor a = arena.f32(2, 3).copyFrom(new float[] {1, 2, 3, 4, 5, 6});
            Tensor b = arena.allocate(DType.BF16, 4).copyFrom(new float[] {0.5f, -1, 2, 1024});
            Tensor c = arena.allocate(DType.F64, 1).copyFrom(new double[] {Math.PI});
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("blocks.0.attn.qkv.weight", a);
            tensors.put("transposed", a.transpose(0, 1));
            tensors.put("half", b);
            tensors.put("scalar", c);
            tensors.put("empty", arena.f32(0, 5));
            Path f = dir.resolve("m.safetensors");
            SafeTensors.write(f, tensors, Map.of("format", "pt"));

            assertThat(Files.size(f) % 8).isEqualTo(0); // header padded, data 8-byte aligned; data 24+8+8+24
            try (SafeTensorsFile read = SafeTensors.read(f)) {
                assertThat(read.names()).containsExactlyInAnyOrder("blocks.0.attn.qkv.weight", "transposed", "half",
                        "scalar", "empty");
                assertThat(read.metadata()).containsEntry("format", "pt");
                assertThat(read.tensor("blocks.0.attn.qkv.weight").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
                assertThat(read.tensor("transposed").shape()).containsExactly(3, 2);
                assertThat(read.tensor("transposed").toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
                assertThat(read.tensor("half").toFloatArray()).containsExactly(0.5f, -1, 2, 1024);
                assertThat(read.tensor("scalar").get(0)).isEqualTo(Math.PI);
                assertThat(read.tensor("empty").numel()).isZero();
                assertThatThrownBy(() -> read.tensor("missing")).hasMessageContaining("no tensor named 'missing'");
            }
        }
    }

    /** Writes a file from a raw header string and data size, as a hostile producer could. */
    private Path raw(String name, long declaredLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private Path raw(String name, String header, int dataBytes) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** The generated corpus of malformed files: each must give a clear SafeTensorsFormatException. */
    static Stream<Arguments> malformed() {
        List<Arguments> cases = new ArrayList<>();
        String good = entry("w", "F32", "[2,2]", 0, 16);
        cases.add(Arguments.of("empty header object but data", "{}", 16, "belong to no tensor|describe 0"));
        cases.add(Arguments.of("not json", "{\"w\":", 16, "not valid JSON"));
        cases.add(Arguments.of("json array", "[1,2]", 16, "not a JSON object"));
        cases.add(Arguments.of("json string", "\"x\"", 16, "not a JSON object"));
        cases.add(Arguments.of("entry not object", "{\"w\":5}", 16, "not described by a JSON object"));
        cases.add(Arguments.of("duplicate names", "{" + good + "," + good + "}", 16, "not valid JSON"));
        cases.add(Arguments.of("unknown dtype", "{" + entry("w", "F33", "[2,2]", 0, 16) + "}", 16, "unknown dtype"));
        cases.add(Arguments.of("lowercase dtype", "{" + entry("w", "f32", "[2,2]", 0, 16) + "}", 16, "unknown dtype"));
        cases.add(Arguments.of("dtype number", "{\"w\":{\"dtype\":3,\"shape\":[4],\"data_offsets\":[0,16]}}", 16, "no dtype"));
        cases.add(Arguments.of("no dtype", "{\"w\":{\"shape\":[4],\"data_offsets\":[0,16]}}", 16, "no dtype"));
        cases.add(Arguments.of("no shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", 16, "no shape"));
        cases.add(Arguments.of("shape not array", "{" + entry("w", "F32", "4", 0, 16) + "}", 16, "no shape"));
        cases.add(Arguments.of("negative dim", "{" + entry("w", "F32", "[-4]", 0, 16) + "}", 16, "invalid dimension"));
        cases.add(Arguments.of("fractional dim", "{" + entry("w", "F32", "[2.5]", 0, 16) + "}", 16, "invalid dimension"));
        cases.add(Arguments.of("string dim", "{" + entry("w", "F32", "[\"4\"]", 0, 16) + "}", 16, "invalid dimension"));
        cases.add(Arguments.of("huge dim", "{" + entry("w", "F32", "[99999999999999999999]", 0, 16) + "}", 16,
                "invalid dimension"));
        cases.add(Arguments.of("overflowing shape", "{" + entry("w", "F32", "[4294967296,4294967296,4294967296]", 0, 16)
                + "}", 16, "larger than the file"));
        cases.add(Arguments.of("shape vs size", "{" + entry("w", "F32", "[3]", 0, 16) + "}", 16, "needs 12 bytes"));
        cases.add(Arguments.of("shape vs size bf16", "{" + entry("w", "BF16", "[4]", 0, 16) + "}", 16, "needs 8 bytes"));
        cases.add(Arguments.of("no offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}", 16, "data_offsets"));
        cases.add(Arguments.of("one offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0]}}", 16,
                "data_offsets"));
        cases.add(Arguments.of("three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8,16]}}", 16,
                "data_offsets"));
        cases.add(Arguments.of("string offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",16]}}", 16,
                "data_offsets"));
        cases.add(Arguments.of("offsets reversed", "{" + entry("w", "F32", "[4]", 16, 0) + "}", 16, "outside"));
        cases.add(Arguments.of("negative offset", "{" + entry("w", "F32", "[4]", -16, 0) + "}", 16, "outside"));
        cases.add(Arguments.of("offset past end", "{" + entry("w", "F32", "[4]", 16, 32) + "}", 16, "outside"));
        cases.add(Arguments.of("end past data", "{" + entry("w", "F32", "[8]", 0, 32) + "}", 16, "outside"));
        cases.add(Arguments.of("huge offsets", "{" + entry("w", "F32", "[4]", 9223372036854775000L, 9223372036854775016L)
                + "}", 16, "outside"));
        cases.add(Arguments.of("overlap", "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[2]", 8, 16)
                + "}", 16, "overlap"));
        cases.add(Arguments.of("identical ranges", "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 0, 16)
                + "}", 16, "overlap"));
        cases.add(Arguments.of("hole", "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 12, 16)
                + "}", 16, "belong to no tensor"));
        cases.add(Arguments.of("trailing bytes", "{" + good + "}", 20, "trailing"));
        cases.add(Arguments.of("missing bytes", "{" + good + "}", 12, "outside"));
        cases.add(Arguments.of("unknown field", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16],\"x\":1}}", 16,
                "unknown field"));
        cases.add(Arguments.of("metadata not object", "{\"__metadata__\":[1]," + good + "}", 16, "must be an object"));
        cases.add(Arguments.of("metadata number value", "{\"__metadata__\":{\"a\":1}," + good + "}", 16, "not a string"));
        cases.add(Arguments.of("metadata nested", "{\"__metadata__\":{\"a\":{}}," + good + "}", 16, "not a string"));
        cases.add(Arguments.of("null entry", "{\"w\":null}", 16, "not described"));
        cases.add(Arguments.of("null header", "null", 16, "not a JSON object"));
        cases.add(Arguments.of("blank header", "        ", 16, "not a JSON object"));
        cases.add(Arguments.of("trailing garbage json", "{" + good + "}}", 16, "not valid JSON|trailing"));
        cases.add(Arguments.of("invalid utf8 escape", "{\"w\\u12\":1}", 16, "not valid JSON"));
        cases.add(Arguments.of("bool dtype size", "{" + entry("w", "BOOL", "[4]", 0, 16) + "}", 16, "needs 4 bytes"));
        cases.add(Arguments.of("f64 size", "{" + entry("w", "F64", "[4]", 0, 16) + "}", 16, "needs 32 bytes"));
        cases.add(Arguments.of("scalar shape wrong size", "{" + entry("w", "F32", "[]", 0, 16) + "}", 16, "needs 4 bytes"));
        cases.add(Arguments.of("zero-size with bytes", "{" + entry("w", "F32", "[0,4]", 0, 16) + "}", 16, "needs 0 bytes"));
        cases.add(Arguments.of("offsets as floats", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0.0,16.0]}}", 16,
                "data_offsets"));
        cases.add(Arguments.of("shape null", "{\"w\":{\"dtype\":\"F32\",\"shape\":null,\"data_offsets\":[0,16]}}", 16,
                "no shape"));
        cases.add(Arguments.of("deeply nested", "{\"w\":" + "[".repeat(2000) + "]".repeat(2000) + "}", 16, "not valid JSON"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedHeadersGiveOneClearError(String what, String header, int dataBytes, String expected) throws IOException {
        Path f = raw(what.replace(' ', '_') + ".safetensors", header, dataBytes);
        assertThatThrownBy(() -> SafeTensors.read(f).close())
                .isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageFindingMatch(expected);
    }

    @Test
    void headerLengthsThatLieAreRefusedBeforeAnyAllocation() throws IOException {
        String header = "{" + entry("w", "F32", "[4]", 0, 16) + "}";
        assertThatThrownBy(() -> SafeTensors.read(raw("long.safetensors", 1L << 40, header, 16)))
                .isInstanceOf(SafeTensorsFormatException.class).hasMessageContaining("over the");
        assertThatThrownBy(() -> SafeTensors.read(raw("neg.safetensors", -1, header, 16)))
                .isInstanceOf(SafeTensorsFormatException.class).hasMessageContaining("over the");
        assertThatThrownBy(() -> SafeTensors.read(raw("beyond.safetensors", header.length() + 100, header, 16)))
                .isInstanceOf(SafeTensorsFormatException.class).hasMessageContaining("truncated");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafeTensors.read(tiny))
                .isInstanceOf(SafeTensorsFormatException.class).hasMessageContaining("too short");
    }

    /** What people hand over instead: PyTorch's .pt/.pth (a ZIP, or a pickle before torch 1.6) and text. */
    @Test
    void otherFormatsAreNamedWithTheWayToConvertThem() throws IOException {
        Path zip = dir.resolve("model.pth");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0});
        assertThatThrownBy(() -> SafeTensors.read(zip)).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageStartingWith(zip + " is not a safetensors file: it is a ZIP archive, as PyTorch's torch.save")
                .hasMessageContaining("safetensors.torch.save_file(torch.load(path, map_location='cpu')");
        Path pickle = dir.resolve("old.pt");
        Files.write(pickle, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20});
        assertThatThrownBy(() -> SafeTensors.read(pickle)).hasMessageContaining("is not a safetensors file: it is a Python pickle");
        Path text = dir.resolve("notes.safetensors");
        Files.writeString(text, "these are not weights");
        assertThatThrownBy(() -> SafeTensors.read(text)).hasMessageStartingWith(text + " is not a safetensors file: it"
                + " begins with text ('these ar...')");
    }

    /** Found by fuzzing: invalid UTF-8 used to be decoded leniently, renaming the tensor; the reference refuses it. */
    @Test
    void headersThatAreNotUtf8AreRefused() throws IOException {
        byte[] json = "{\"w?\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}".getBytes(StandardCharsets.US_ASCII);
        json[3] = (byte) 0xff;
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Path f = dir.resolve("latin1.safetensors");
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafeTensors.read(f).close()).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void everyTruncationOfAValidFileIsRefused() throws IOException {
        try (HostArena arena = new HostArena()) {
            Path f = dir.resolve("valid.safetensors");
            SafeTensors.write(f, Map.of("a", arena.f32(3, 5), "b", arena.allocate(DType.BF16, 7)), Map.of());
            byte[] bytes = Files.readAllBytes(f);
            for (int cut = 0; cut < bytes.length; cut++) {
                Path t = dir.resolve("cut.safetensors");
                Files.write(t, Arrays.copyOf(bytes, cut));
                assertThatThrownBy(() -> SafeTensors.read(t).close())
                        .as("file cut at %d of %d bytes", cut, bytes.length)
                        .isInstanceOf(SafeTensorsFormatException.class);
            }
        }
    }

    @Test
    void unsupportedButValidDtypesParseAndRefuseOnlyTensorAccess() throws IOException {
        Path f = raw("i64.safetensors", "{" + entry("ids", "I64", "[2]", 0, 16) + "}", 16);
        try (SafeTensorsFile read = SafeTensors.read(f)) {
            assertThat(read.entry("ids").dtype()).isEqualTo("I64");
            assertThatThrownBy(() -> read.tensor("ids")).hasMessageContaining("does not read");
        }
    }
}
