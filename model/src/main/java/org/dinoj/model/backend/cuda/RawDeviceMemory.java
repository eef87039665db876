package org.dinoj.model.backend.cuda;

/** Uncached device memory: cudaMalloc/cudaFree in use, a fake in the allocator's unit tests. */
public interface RawDeviceMemory {
    /**
     * A new block of at least {@code bytes} bytes.
     *
     * @return the device address, or 0 when the device is out of memory
     */
    long allocate(long bytes);

    void free(long address);
}
