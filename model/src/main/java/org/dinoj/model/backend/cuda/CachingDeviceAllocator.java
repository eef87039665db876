package org.dinoj.model.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps freed device blocks for reuse, so that a training step after the first allocates nothing
 * from the driver. Requests are rounded up to size classes (four per power of two, at least 512
 * bytes, so at most a quarter is wasted); a free block is reused for a request of the same class.
 * When the device runs out of memory, every cached block is released and the request retried once.
 *
 * <p>Reuse is safe without events because all work runs on one stream: a block freed here is
 * reused only by work queued after the work that used it. Not thread-safe: one backend, one thread.
 */
public final class CachingDeviceAllocator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachingDeviceAllocator.class);
    static final long MIN_BLOCK = 512;

    private final RawDeviceMemory raw;
    private final Map<Long, ArrayDeque<Long>> freeBySize = new HashMap<>();
    private final Map<Long, Long> sizeOfLive = new HashMap<>();
    private long bytesInUse;
    private long bytesCached;
    private long rawAllocations;

    public CachingDeviceAllocator(RawDeviceMemory raw) {
        this.raw = raw;
    }

    /** The size class of a request: a multiple of a quarter of the enclosing power of two. */
    public static long sizeClass(long bytes) {
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        int log2 = 63 - Long.numberOfLeadingZeros(bytes - 1); // 2^log2 < bytes <= 2^(log2 + 1)
        long step = 1L << Math.max(log2 - 2, 0);
        return (bytes + step - 1) / step * step;
    }

    /**
     * A device block of at least {@code bytes} bytes.
     *
     * @throws CudaException when the device has no room even after releasing the cache
     */
    public long allocate(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> free = freeBySize.get(size);
        long address;
        if (free != null && !free.isEmpty()) {
            address = free.pop();
            bytesCached -= size;
        } else {
            address = raw.allocate(size);
            if (address == 0) {
                LOG.info("device memory exhausted at a request of {} bytes: releasing {} cached bytes", size, bytesCached);
                releaseCached();
                address = raw.allocate(size);
                if (address == 0) {
                    throw new CudaException("out of device memory allocating " + size + " bytes (" + bytesInUse
                            + " bytes in use by dinoj): use a smaller batch or model", 2);
                }
            }
            rawAllocations++;
        }
        sizeOfLive.put(address, size);
        bytesInUse += size;
        return address;
    }

    /** Returns a block from {@link #allocate} for reuse. */
    public void free(long address) {
        Long size = sizeOfLive.remove(address);
        if (size == null) {
            throw new IllegalArgumentException("device address 0x" + Long.toHexString(address)
                    + " was not allocated here or was freed twice");
        }
        bytesInUse -= size;
        bytesCached += size;
        freeBySize.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
    }

    /** Gives every cached (free) block back to the device. */
    public void releaseCached() {
        for (ArrayDeque<Long> blocks : freeBySize.values()) {
            for (Long address : blocks) {
                raw.free(address);
            }
            blocks.clear();
        }
        bytesCached = 0;
    }

    public long bytesInUse() {
        return bytesInUse;
    }

    public long bytesCached() {
        return bytesCached;
    }

    /** How many blocks were taken from the device itself (not from the cache). */
    public long rawAllocations() {
        return rawAllocations;
    }

    /** Frees cached and live blocks: no tensor of this allocator may be used afterwards. */
    @Override
    public void close() {
        releaseCached();
        for (Long address : sizeOfLive.keySet()) {
            raw.free(address);
        }
        sizeOfLive.clear();
        bytesInUse = 0;
    }
}
