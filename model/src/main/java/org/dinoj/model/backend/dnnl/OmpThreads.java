package org.dinoj.model.backend.dnnl;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.dinoj.nativelib.DnnlLibrary;

/**
 * The calling thread's OpenMP team size for the oneDNN primitives it creates and runs next.
 * Small primitives run on the calling thread alone: a parallel region costs a fork and a barrier,
 * and on a busy machine the barrier waits for a descheduled team member (milliseconds), which for
 * a small op is far more than the second core saves. Large ones use the default team.
 * Without libgomp (a user's oneDNN built with another runtime) it does nothing.
 */
final class OmpThreads {
    private final MethodHandle setNumThreads;
    private final int defaultThreads;
    private int current;

    OmpThreads() {
        DnnlLibrary library = DnnlLibrary.load();
        if (!library.hasGomp()) {
            setNumThreads = null;
            defaultThreads = 1;
            current = 1;
            return;
        }
        SymbolLookup gomp = library.gomp();
        Linker linker = Linker.nativeLinker();
        MemorySegment set = gomp.find("omp_set_num_threads").orElseThrow(
                () -> new IllegalStateException("libgomp has no omp_set_num_threads"));
        MemorySegment get = gomp.find("omp_get_max_threads").orElseThrow(
                () -> new IllegalStateException("libgomp has no omp_get_max_threads"));
        setNumThreads = linker.downcallHandle(set, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT), Linker.Option.critical(false));
        MethodHandle getMax = linker.downcallHandle(get, FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false));
        try {
            defaultThreads = (int) getMax.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("omp_get_max_threads failed", t);
        }
        current = defaultThreads;
    }

    /** One thread when {@code serial}, else the default team, for this thread's next primitives. */
    void use(boolean serial) {
        int wanted = serial ? 1 : defaultThreads;
        if (wanted == current || setNumThreads == null) {
            return;
        }
        try {
            setNumThreads.invokeExact(wanted);
        } catch (Throwable t) {
            throw new IllegalStateException("omp_set_num_threads failed", t);
        }
        current = wanted;
    }

    int defaultThreads() {
        return defaultThreads;
    }
}
