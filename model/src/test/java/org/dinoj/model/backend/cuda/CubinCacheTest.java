package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk kernel image cache, with a counting stand-in for NVRTC (no CUDA needed). */
class CubinCacheTest {
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F', 1, 2, 3};

    @TempDir
    Path dir;

    private final AtomicInteger compiles = new AtomicInteger();

    private Supplier<byte[]> compiler(byte[] image) {
        return () -> {
            compiles.incrementAndGet();
            return image.clone();
        };
    }

    @Test
    void aSecondProcessReadsTheImageInsteadOfCompiling() {
        byte[] first = new CubinCache(dir).get("rows.cu", compiler(ELF), "source", "sm_90");
        byte[] second = new CubinCache(dir).get("rows.cu", compiler(new byte[] {9}), "source", "sm_90");
        assertThat(first).isEqualTo(ELF);
        assertThat(second).isEqualTo(ELF);
        assertThat(compiles).hasValue(1);
    }

    @Test
    void anyChangedInputCompilesAgain() {
        CubinCache cache = new CubinCache(dir);
        cache.get("rows.cu", compiler(ELF), "source", "sm_90");
        cache.get("rows.cu", compiler(ELF), "source 2", "sm_90");
        cache.get("rows.cu", compiler(ELF), "source", "sm_100");
        // the parts are length-prefixed: moving text between them is a change too
        cache.get("rows.cu", compiler(ELF), "sourc", "esm_90");
        assertThat(compiles).hasValue(4);
    }

    @Test
    void aCorruptFileIsRecompiledAndReplaced() throws IOException {
        CubinCache cache = new CubinCache(dir);
        cache.get("rows.cu", compiler(ELF), "source");
        try (var files = Files.list(dir)) {
            Path file = files.filter(p -> p.getFileName().toString().startsWith("rows.cu-")).findFirst().orElseThrow();
            Files.write(file, new byte[] {1, 2, 3});
        }
        assertThat(cache.get("rows.cu", compiler(ELF), "source")).isEqualTo(ELF);
        assertThat(cache.get("rows.cu", compiler(ELF), "source")).isEqualTo(ELF);
        assertThat(compiles).hasValue(2);
    }

    @Test
    void aDisabledCacheAlwaysCompiles() {
        CubinCache off = new CubinCache(null);
        off.get("rows.cu", compiler(ELF), "source");
        off.get("rows.cu", compiler(ELF), "source");
        assertThat(compiles).hasValue(2);
    }
}
