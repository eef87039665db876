package org.dinoj.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.URISyntaxException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of {@link SafeTensors#read} with Jazzer. In a normal build this runs in
 * regression mode only: every file under {@code SafeTensorsFuzzTestInputs/readArbitraryBytes/}
 * (valid files, malformed files, and any crash the fuzzer ever found) is replayed, in well under
 * a second. A real fuzzing session (see docs/fuzzing.md):
 * <pre>
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m JAZZER_INSTRUMENT='org.dinoj.**,com.fasterxml.jackson.**' \
 *   nice -n 10 mvn -pl model test -Dtest=SafeTensorsFuzzTest
 * </pre>
 * Contract checked on every input: the reader either refuses it with a
 * {@link SafeTensorsFormatException} whose message names the file, or accepts it, and then every
 * tensor it describes lies inside the data section, tiles it exactly, reads back without an
 * error, and survives a write/read round trip bit for bit. Anything else (another exception, an
 * out-of-bounds access, an out-of-memory from a size taken from the file) is a finding.
 */
class SafeTensorsFuzzTest {
    /** One scratch file per JVM: the reader takes a path, and rewriting one file keeps each run cheap. */
    private static final Path INPUT = scratch("fuzz-input");
    private static final Path ROUND_TRIP = scratch("fuzz-roundtrip");

    private static Path scratch(String prefix) {
        try {
            Path p = Files.createTempFile(prefix, ".safetensors");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryFile(resourcePath = "safetensors.dict")
    void readArbitraryBytes(byte[] input) throws IOException {
        Files.write(INPUT, input);
        SafeTensorsFile file;
        try {
            file = SafeTensors.read(INPUT);
        } catch (SafeTensorsFormatException refused) {
            assertThat(refused.getMessage()).as("a refusal names the file and the fault").isNotBlank();
            return;
        }
        try (file) {
            long headerLength = ByteBuffer.wrap(input, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            checkAccepted(file, input.length - 8 - headerLength);
        }
    }

    /**
     * The committed seeds are what their names say: the valid ones were written by the Python
     * reference implementation (safetensors 0.8.0 via PyTorch), so dinoj must accept them; the
     * malformed ones must be refused. Without this, a seed corpus of refusals would look fine.
     */
    @Test
    void seedCorpusFilesAreAcceptedOrRefusedAsNamed() throws IOException, URISyntaxException {
        Path seeds = Path.of(SafeTensorsFuzzTest.class.getResource("SafeTensorsFuzzTestInputs/readArbitraryBytes").toURI());
        int valid = 0;
        int bad = 0;
        try (Stream<Path> files = Files.list(seeds)) {
            for (Path seed : files.sorted().toList()) {
                String name = seed.getFileName().toString();
                if (name.startsWith("valid-")) {
                    try (SafeTensorsFile f = SafeTensors.read(seed)) {
                        assertThat(f.names()).as(name).isNotNull();
                    }
                    valid++;
                } else if (name.startsWith("bad-") || name.startsWith("crash-")) {
                    assertThatThrownBy(() -> SafeTensors.read(seed).close()).as(name)
                            .isInstanceOf(SafeTensorsFormatException.class);
                    bad++;
                }
            }
        }
        assertThat(valid).isGreaterThanOrEqualTo(5);
        assertThat(bad).isGreaterThanOrEqualTo(10);
    }

    /** What an accepted file must satisfy; a violation is a reader that let a bad file through. */
    private static void checkAccepted(SafeTensorsFile file, long dataSize) throws IOException {
        long described = 0;
        boolean allReadable = true;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : file.names()) {
            SafeTensorsEntry e = file.entry(name);
            assertThat(e.begin()).isNotNegative().isLessThanOrEqualTo(e.end());
            assertThat(e.end()).isLessThanOrEqualTo(dataSize);
            described += e.byteSize();
            if (SafeTensors.dinojType(e.dtype()) == null) {
                allReadable = false;
                assertThatThrownBy(() -> file.tensor(name)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("does not read");
                continue;
            }
            Tensor t = file.tensor(name);
            assertThat(t.shape()).containsExactly(e.shape());
            assertThat(t.numel() * t.dtype().byteSize()).isEqualTo(e.byteSize());
            double[] values = t.toDoubleArray(); // touches every byte of the tensor
            assertThat(values).hasSize((int) t.numel());
            tensors.put(name, t);
        }
        // Tiling without overlaps: the tensors' bytes add up to the data section exactly.
        assertThat(described).isEqualTo(dataSize);
        if (allReadable) {
            SafeTensors.write(ROUND_TRIP, tensors, file.metadata());
            try (SafeTensorsFile again = SafeTensors.read(ROUND_TRIP)) {
                assertThat(again.names()).isEqualTo(file.names());
                assertThat(again.metadata()).isEqualTo(file.metadata());
                for (String name : file.names()) {
                    Tensor a = file.tensor(name);
                    Tensor b = again.tensor(name);
                    assertThat(b.dtype()).isEqualTo(a.dtype());
                    assertThat(b.shape()).containsExactly(a.shape());
                    long bytes = a.numel() * a.dtype().byteSize();
                    if (bytes > 0) {
                        // Bitwise: NaN payloads and signed zeros must survive too.
                        assertThat(b.data().asSlice(0, bytes).mismatch(a.data().asSlice(0, bytes))).isEqualTo(-1L);
                    }
                }
            }
        }
    }
}
