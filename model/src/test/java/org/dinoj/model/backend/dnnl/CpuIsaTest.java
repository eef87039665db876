package org.dinoj.model.backend.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** oneDNN's view of the CPU against the kernel's (/proc/cpuinfo), read independently. */
class CpuIsaTest {
    @Test
    void bf16MathMatchesTheCpuFlags() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        assumeTrue(Files.isReadable(cpuinfo), "no /proc/cpuinfo to compare with");
        Set<String> flags = Files.readAllLines(cpuinfo).stream()
                .filter(line -> line.startsWith("flags"))
                .findFirst()
                .map(line -> Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")))
                .orElseThrow();
        boolean kernelSaysBf16 = flags.contains("avx512_bf16") || flags.contains("amx_bf16")
                || flags.contains("avx_ne_convert");
        assertThat(CpuIsa.hasBf16Math()).as("oneDNN ISA %s, flags %s", CpuIsa.describe(), flags)
                .isEqualTo(kernelSaysBf16);
        assertThat(CpuIsa.describe().startsWith("AVX2")).isEqualTo(flags.contains("avx2") && !flags.contains("avx512f"));
    }
}
