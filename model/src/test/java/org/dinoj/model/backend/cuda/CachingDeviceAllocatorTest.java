package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caching logic against a fake device of limited capacity. */
class CachingDeviceAllocatorTest {

    /** Hands out increasing fake addresses; refuses beyond its capacity, as cudaMalloc would. */
    private static final class FakeDevice implements RawDeviceMemory {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long next = 0x7f0000000000L;
        long used;
        int mallocs;
        int frees;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long allocate(long bytes) {
            if (used + bytes > capacity) {
                return 0;
            }
            long address = next;
            next += bytes;
            live.put(address, bytes);
            used += bytes;
            mallocs++;
            return address;
        }

        @Override
        public void free(long address) {
            Long bytes = live.remove(address);
            assertThat(bytes).as("freeing an address the fake device never gave").isNotNull();
            used -= bytes;
            frees++;
        }
    }

    @Test
    void sizeClassesRoundUpByAtMostAQuarter() {
        assertThat(CachingDeviceAllocator.sizeClass(1)).isEqualTo(512);
        assertThat(CachingDeviceAllocator.sizeClass(512)).isEqualTo(512);
        assertThat(CachingDeviceAllocator.sizeClass(513)).isEqualTo(640);
        assertThat(CachingDeviceAllocator.sizeClass(1024)).isEqualTo(1024);
        assertThat(CachingDeviceAllocator.sizeClass(1025)).isEqualTo(1280);
        assertThat(CachingDeviceAllocator.sizeClass((1L << 30) + 1)).isEqualTo((1L << 30) + (1L << 28));
        for (long bytes = 1; bytes < 1 << 20; bytes = bytes * 3 / 2 + 1) {
            long size = CachingDeviceAllocator.sizeClass(bytes);
            assertThat(size).isGreaterThanOrEqualTo(bytes);
            assertThat(size).isLessThanOrEqualTo(Math.max(512, bytes + bytes / 4 + 1));
            assertThat(CachingDeviceAllocator.sizeClass(size)).as("a class maps to itself").isEqualTo(size);
        }
    }

    @Test
    void freedBlocksAreReusedForTheSameClass() {
        FakeDevice device = new FakeDevice(1 << 20);
        try (CachingDeviceAllocator allocator = new CachingDeviceAllocator(device)) {
            long a = allocator.allocate(1000);
            long b = allocator.allocate(4000);
            allocator.free(a);
            assertThat(allocator.bytesCached()).isEqualTo(1024);
            assertThat(allocator.allocate(900)).as("same class as 1000 bytes").isEqualTo(a);
            long c = allocator.allocate(2000);
            assertThat(c).isNotEqualTo(a).isNotEqualTo(b);
            assertThat(device.mallocs).isEqualTo(3);
            assertThat(allocator.rawAllocations()).isEqualTo(3);
            assertThat(allocator.bytesInUse()).isEqualTo(1024 + 4096 + 2048);
        }
        assertThat(device.live).as("close frees everything").isEmpty();
    }

    @Test
    void aSteadyLoopAllocatesFromTheDeviceOnlyOnce() {
        FakeDevice device = new FakeDevice(1 << 24);
        try (CachingDeviceAllocator allocator = new CachingDeviceAllocator(device)) {
            for (int step = 0; step < 5; step++) {
                long x = allocator.allocate(100_000);
                long y = allocator.allocate(3_000);
                allocator.free(y);
                allocator.free(x);
            }
            assertThat(device.mallocs).isEqualTo(2);
            assertThat(allocator.bytesInUse()).isZero();
        }
    }

    @Test
    void outOfMemoryReleasesTheCacheAndRetries() {
        FakeDevice device = new FakeDevice(4096);
        try (CachingDeviceAllocator allocator = new CachingDeviceAllocator(device)) {
            long small = allocator.allocate(2048);
            allocator.free(small);
            long big = allocator.allocate(3072);
            assertThat(big).isNotZero();
            assertThat(device.frees).as("the cached 2048-byte block went back to the device").isEqualTo(1);
            assertThat(allocator.bytesCached()).isZero();
            assertThatThrownBy(() -> allocator.allocate(2048))
                    .isInstanceOf(CudaException.class)
                    .hasMessageContaining("out of device memory allocating 2048 bytes");
        }
    }

    @Test
    void doubleFreeIsRefused() {
        try (CachingDeviceAllocator allocator = new CachingDeviceAllocator(new FakeDevice(1 << 16))) {
            long a = allocator.allocate(10);
            allocator.free(a);
            assertThatThrownBy(() -> allocator.free(a)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("freed twice");
        }
    }
}
