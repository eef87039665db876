package org.dinoj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.dinoj.model.backend.dnnl.CpuIsa;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GemmBenchTest {

    /**
     * Every case prints a row on any CPU. On one without bf16 kernels (an AVX2-only EPYC) the
     * command used to die at the first bf16-tensor product, which oneDNN cannot create there.
     */
    @Test
    void printsEveryCaseAndTimesBf16TensorsOnlyWhereTheCpuHasBf16Kernels() {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setOut(new PrintWriter(text));
        int rc = cli.execute("gemm", "--json", "--runs", "1", "--warmup", "0");
        assertThat(rc).isZero();
        List<String> rows = text.toString().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(rows).hasSize(16);
        assertThat(rows.stream().filter(r -> r.contains("\"precision\":\"f32\""))).hasSize(8);
        assertThat(rows.stream().filter(r -> r.contains("\"precision\":\"bf16\""))).hasSize(8);
        assertThat(rows).allSatisfy(r -> assertThat(r).containsPattern("\"gflops\":[1-9][0-9]*\\.[0-9]"));
        long timedOnBf16Tensors = rows.stream().filter(r -> r.contains("\"bf16_tensors_gflops\":")).count();
        assertThat(timedOnBf16Tensors).isEqualTo(CpuIsa.hasBf16Math() ? 8 : 0);
    }
}
