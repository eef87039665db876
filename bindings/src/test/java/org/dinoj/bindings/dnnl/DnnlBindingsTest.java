package org.dinoj.bindings.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dinoj.bindings.dnnl.dnnl_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnnlBindingsTest {

    @Test
    void everyBoundFunctionResolvesInTheLoadedLibraries() throws Exception {
        List<String> bound = new ArrayList<>();
        for (Class<?> header : List.of(dnnl_h.class, omp_h.class)) {
            for (Method m : header.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && m.getName().endsWith("$address")) {
                    MemorySegment address = (MemorySegment) m.invoke(null);
                    assertThat(address.address()).as(m.getName()).isNotZero();
                    bound.add(m.getName());
                }
            }
        }
        // 47 oneDNN functions (dnnl.args) and 2 OpenMP functions (omp.args).
        assertThat(bound).hasSize(49);
    }

    @Test
    void versionIsTheBundledOne() {
        MemorySegment version = dnnl_version().reinterpret(dnnl_version_t.sizeof());

        assertThat(dnnl_version_t.major(version)).isEqualTo(3);
        assertThat(dnnl_version_t.minor(version)).isEqualTo(8);
        assertThat(dnnl_version_t.patch(version)).isEqualTo(1);
    }

    @Test
    void execArgLayoutMatchesTheCStruct() {
        // typedef struct { int arg; dnnl_memory_t memory; } on LP64: 4 bytes, 4 padding, 8.
        assertThat(dnnl_exec_arg_t.sizeof()).isEqualTo(16);
        assertThat(dnnl_exec_arg_t.memory$offset()).isEqualTo(8);
    }

    @Test
    void failingCallBecomesAnExceptionNamingFunctionAndStatus() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment md = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment dims = arena.allocate(ValueLayout.JAVA_LONG, DNNL_MAX_NDIMS());
            // More dimensions than DNNL_MAX_NDIMS: oneDNN refuses the descriptor.
            int status = dnnl_memory_desc_create_with_tag(md, DNNL_MAX_NDIMS() + 1, dims, dnnl_f32(), dnnl_a());

            assertThatThrownBy(() -> DnnlStatus.check(status, "dnnl_memory_desc_create_with_tag"))
                    .isInstanceOf(DnnlException.class)
                    .hasMessage("oneDNN dnnl_memory_desc_create_with_tag failed with dnnl_invalid_arguments")
                    .satisfies(e -> assertThat(((DnnlException) e).status()).isEqualTo(dnnl_invalid_arguments()));
        }
    }

    @Test
    void statusNamesAgreeWithTheLibrary() {
        for (int status = dnnl_success(); status <= dnnl_invalid_data_type(); status++) {
            String library = dnnl_status2str(status).reinterpret(64).getString(0);
            // dnnl_status2str drops the "dnnl_" prefix: "invalid_arguments".
            assertThat(DnnlStatus.name(status)).isEqualTo("dnnl_" + library);
        }
        assertThat(DnnlStatus.name(999)).isEqualTo("dnnl_status_t 999");
    }

    @Test
    void sgemmMultipliesRowMajorMatrices() {
        try (Arena arena = Arena.ofConfined()) {
            // A [2, 3] @ B [3, 2] = C [2, 2]; small integers are exact in f32.
            MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 7, 8, 9, 10, 11, 12);
            MemorySegment c = arena.allocate(ValueLayout.JAVA_FLOAT, 4);

            DnnlStatus.check(dnnl_sgemm((byte) 'N', (byte) 'N', 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2), "dnnl_sgemm");

            assertThat(c.toArray(ValueLayout.JAVA_FLOAT)).containsExactly(58, 64, 139, 154);
        }
    }

    @Test
    void openMpThreadCountCanBeSet() {
        int before = omp_h.omp_get_max_threads();
        try {
            omp_h.omp_set_num_threads(1);
            assertThat(omp_h.omp_get_max_threads()).isEqualTo(1);
        } finally {
            omp_h.omp_set_num_threads(before);
        }
    }
}
