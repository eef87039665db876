package org.dinoj.model.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.dinoj.model.backend.reference.ReferenceBackend;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ProfilingBackendTest {

    @Test
    void forwardsEveryCallAndCountsItUnderItsKind() {
        AtomicLong launches = new AtomicLong(); // the reference backend queues nothing: 0 launches per kind
        try (HostArena arena = new HostArena();
             ProfilingBackend backend = new ProfilingBackend(new ReferenceBackend(Precision.F32), launches::get)) {
            Tensor a = arena.allocate(DType.F32, 2, 3);
            Tensor b = arena.allocate(DType.F32, 3, 4);
            Tensor c = arena.allocate(DType.F32, 2, 4);
            backend.fill(a, 1f);
            backend.fill(b, 2f);
            backend.matmul(a, b, c);
            backend.matmul(a, b, c);
            // the delegate did the work: 1 * 2 summed over K = 3
            assertThat(c.getFlat(0)).isEqualTo(6.0);

            String report = backend.report(1, 10);
            assertThat(report).contains("PROFILE reference");
            assertThat(report).containsPattern("PROFILE matmul +[0-9.]+ +2\\.0 +0\\.0 ");
            assertThat(report).containsPattern("PROFILE fill +[0-9.]+ +2\\.0 ");
            assertThat(report).contains("matmul [2,3][3,4]");
            assertThat(backend.totalNanos()).isPositive();
            assertThat(backend.ownSynchronizations()).as("a wait before and after each of 4 operations").isEqualTo(8);

            backend.reset();
            assertThat(backend.totalNanos()).isZero();
            assertThat(backend.ownSynchronizations()).isZero();
            assertThat(backend.report(1, 10)).doesNotContain("matmul");
        }
    }
}
