package org.dinoj.model.backend.dnnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.dinoj.bindings.dnnl.omp_h;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The OpenMP team of a backend's large primitives does not depend on what an earlier backend left
 * on the same thread. A worker's activity thread runs a round, then an evaluation, then the next
 * round, each with its own backend; before this held, a backend opened on a thread whose last
 * primitive had been a small (one-thread) one ran every primitive on one thread.
 * omp_get_max_threads() after a primitive reads the team size the backend set for it.
 */
class OmpThreadsTest {

    @Test
    void aNewBackendUsesTheRuntimeTeamOnAThreadAnEarlierBackendLeftSerial() throws Exception {
        int runtimeTeam = OmpThreads.runtimeDefault();
        assumeTrue(runtimeTeam > 1, "the OpenMP default team is 1 here (one core or DINOJ_THREADS=1): nothing to tell apart");
        int[] seen = onFreshThread(() -> {
            int afterSmall;
            try (DnnlBackend first = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
                smallCopy(first, arena);
                afterSmall = omp_h.omp_get_max_threads();
            }
            try (DnnlBackend second = new DnnlBackend(Precision.F32); HostArena arena = new HostArena()) {
                largeMatmul(second, arena);
                return new int[] {afterSmall, second.ompTeamSize(), omp_h.omp_get_max_threads()};
            }
        });
        assertThat(seen[0]).as("a small op runs on one thread").isEqualTo(1);
        assertThat(seen[1]).as("the second backend's team").isEqualTo(runtimeTeam);
        assertThat(seen[2]).as("the team its large matmul ran with").isEqualTo(runtimeTeam);
    }

    @Test
    void anExplicitThreadCountHoldsAfterSmallPrimitives() throws Exception {
        assertThat(teamsAroundASmallOp(1)).containsExactly(1, 1, 1);
    }

    @Test
    void anExplicitTeamIsUsedForLargePrimitivesOnly() throws Exception {
        assertThat(teamsAroundASmallOp(3)).containsExactly(3, 1, 3);
    }

    /** The team after a large matmul, after a small copy, and after another large matmul. */
    private static int[] teamsAroundASmallOp(int threads) throws InterruptedException {
        return onFreshThread(() -> {
            try (DnnlBackend backend = new DnnlBackend(Precision.F32, threads); HostArena arena = new HostArena()) {
                largeMatmul(backend, arena);
                int large = omp_h.omp_get_max_threads();
                smallCopy(backend, arena);
                int small = omp_h.omp_get_max_threads();
                largeMatmul(backend, arena);
                return new int[] {large, small, omp_h.omp_get_max_threads()};
            }
        });
    }

    /** 4 elements: below any serial threshold. */
    private static void smallCopy(DnnlBackend backend, HostArena arena) {
        Tensor src = arena.f32(4);
        src.setFlat(0, 1.5);
        Tensor dst = arena.f32(4);
        backend.copy(src, dst);
        assertThat(dst.getFlat(0)).isEqualTo(1.5);
    }

    /** 256 x 256 x 256: 2^24 multiply-adds, 256x the default serial threshold of 64 x 65536. */
    private static void largeMatmul(DnnlBackend backend, HostArena arena) {
        Tensor a = arena.f32(256, 256);
        Tensor b = arena.f32(256, 256);
        Tensor c = arena.f32(256, 256);
        backend.fill(a, 1f);
        backend.fill(b, 0.5f);
        backend.matmul(a, b, c);
        assertThat(c.getFlat(0)).isEqualTo(128.0);
    }

    private interface Work {
        int[] run();
    }

    /** OpenMP settings are per OS thread: each case starts from a thread that has none of its own. */
    private static int[] onFreshThread(Work work) throws InterruptedException {
        AtomicReference<int[]> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.set(work.run());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw new AssertionError("the work on the fresh thread failed", failure.get());
        }
        return result.get();
    }
}
