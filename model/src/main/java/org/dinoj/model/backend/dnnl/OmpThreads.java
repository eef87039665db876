package org.dinoj.model.backend.dnnl;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.dinoj.nativelib.DnnlLibrary;

/**
 * The calling thread's OpenMP team size for the oneDNN primitives it runs next.
 * Small primitives run on the calling thread alone: a parallel region costs a fork and a barrier,
 * and on a busy machine the barrier waits for a descheduled team member (milliseconds), which for
 * a small op is far more than the second core saves. Large ones use the backend's team.
 *
 * <p>OpenMP keeps the team size per OS thread, and one thread runs many backends in turn (a
 * worker's activity thread: a round, an evaluation, the next round), so the size is set before
 * every primitive rather than remembered here: a backend never inherits the one-thread setting
 * that a previous backend left on its thread. The call only writes a thread-local variable of
 * libgomp. Without libgomp (a user's oneDNN built with another runtime) it does nothing.
 */
final class OmpThreads {
    private static final MethodHandle SET_NUM_THREADS;
    /** The runtime's team size (DINOJ_THREADS, OMP_NUM_THREADS, else all cores), read before dinoj sets any. */
    private static final int RUNTIME_DEFAULT;

    static {
        DnnlLibrary library = DnnlLibrary.load();
        if (library.hasGomp()) {
            SymbolLookup gomp = library.gomp();
            Linker linker = Linker.nativeLinker();
            MemorySegment set = gomp.find("omp_set_num_threads").orElseThrow(
                    () -> new IllegalStateException("libgomp has no omp_set_num_threads"));
            MemorySegment get = gomp.find("omp_get_max_threads").orElseThrow(
                    () -> new IllegalStateException("libgomp has no omp_get_max_threads"));
            SET_NUM_THREADS = linker.downcallHandle(set, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT), Linker.Option.critical(false));
            MethodHandle getMax = linker.downcallHandle(get, FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false));
            try {
                RUNTIME_DEFAULT = (int) getMax.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException("omp_get_max_threads failed", t);
            }
        } else {
            SET_NUM_THREADS = null;
            RUNTIME_DEFAULT = 1;
        }
    }

    private final int teamSize;

    /** {@code threads} for the large primitives; 0 for the runtime's default. */
    OmpThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("the oneDNN thread count is " + threads + "; use a positive count or 0 for the default");
        }
        this.teamSize = threads > 0 ? threads : RUNTIME_DEFAULT;
    }

    /** One thread when {@code serial}, else this backend's team, for the calling thread's next primitive. */
    void use(boolean serial) {
        if (SET_NUM_THREADS == null) {
            return;
        }
        try {
            SET_NUM_THREADS.invokeExact(serial ? 1 : teamSize);
        } catch (Throwable t) {
            throw new IllegalStateException("omp_set_num_threads failed", t);
        }
    }

    /** The team of the large primitives. */
    int teamSize() {
        return teamSize;
    }

    /** The runtime's default team size of this process. */
    static int runtimeDefault() {
        return RUNTIME_DEFAULT;
    }
}
