package org.dinoj.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyWriterTest {
    @TempDir
    Path dir;

    /** values[i] = i / 2 - 3: exact in float and easy to regenerate in Python. */
    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.5f - 3f;
        }
        return v;
    }

    @Test
    void headerAndDataFollowTheNpyV1Format() throws IOException {
        Path file = dir.resolve("f.npy");
        NpyWriter.writeFloat32(file, ramp(15), 3, 5);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);

        byte[] magic = new byte[6];
        bytes.get(magic);
        assertThat(magic).containsExactly((byte) 0x93, 'N', 'U', 'M', 'P', 'Y');
        assertThat(bytes.get()).isEqualTo((byte) 1); // major version
        assertThat(bytes.get()).isEqualTo((byte) 0); // minor version
        int headerLength = Short.toUnsignedInt(bytes.getShort());
        assertThat((10 + headerLength) % 64).isZero();
        byte[] header = new byte[headerLength];
        bytes.get(header);
        String text = new String(header, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }").endsWith("\n");
        assertThat(text.strip()).endsWith("}");
        assertThat(bytes.remaining()).isEqualTo(15 * 4);
        for (int i = 0; i < 15; i++) {
            assertThat(bytes.getFloat()).isEqualTo(i * 0.5f - 3f);
        }
    }

    @Test
    void oneDimensionalShapeIsWrittenAsAPythonOneTuple() throws IOException {
        Path file = dir.resolve("l.npy");
        NpyWriter.writeInt32(file, new int[] {4, -1, 7}, 3);
        String text = new String(Files.readAllBytes(file), 10, 60, StandardCharsets.US_ASCII);
        assertThat(text).startsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }");
        byte[] all = Files.readAllBytes(file);
        assertThat(all.length).isEqualTo(128 + 12); // a 68-byte dict pads the header to 128 bytes
        ByteBuffer data = ByteBuffer.wrap(all, 128, 12).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new int[] {data.getInt(), data.getInt(), data.getInt()}).containsExactly(4, -1, 7);
    }

    @Test
    void shapeThatDoesNotMatchTheValuesIsRefused() {
        assertThatThrownBy(() -> NpyWriter.writeFloat32(dir.resolve("x.npy"), new float[6], 4, 2))
                .hasMessageContaining("6 values do not fill shape [4, 2]");
        assertThat(dir.resolve("x.npy")).doesNotExist();
    }

    @Test
    void numpyReadsWhatWasWritten() throws Exception {
        String python = pythonWithNumpy();
        Assumptions.assumeTrue(python != null, "no python3 with numpy (tried python3 on PATH and /usr/bin/python3): "
                + "the numpy read-back check is skipped");
        int rows = 70_000; // more than one 64k-value write chunk
        int dim = 3;
        LabeledFeatures features = new LabeledFeatures(new FeatureMatrix(rows, dim, ramp(rows * dim)),
                java.util.stream.IntStream.range(0, rows).map(i -> i % 10 - 1).toArray(), 9);
        List<Path> files = EmbeddingExport.write(dir, "train", features);
        String script = String.join("\n",
                "import sys, numpy as np",
                "f = np.load(sys.argv[1]); l = np.load(sys.argv[2])",
                "assert f.dtype == np.float32 and f.shape == (" + rows + ", " + dim + ") and f.flags['C_CONTIGUOUS'], (f.dtype, f.shape)",
                "assert np.array_equal(f.ravel(), (np.arange(f.size) * 0.5 - 3).astype(np.float32))",
                "assert l.dtype == np.int32 and l.shape == (" + rows + ",) and np.array_equal(l, np.arange(" + rows + ") % 10 - 1)",
                "print('ok')");
        Process process = new ProcessBuilder(python, "-c", script, files.get(0).toString(), files.get(1).toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output.strip()).isEqualTo("ok");
    }

    /** The first of python3 (PATH) and /usr/bin/python3 that can import numpy, or null. */
    private static String pythonWithNumpy() {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException e) {
                // not installed under this name: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
