package org.dinoj.nativelib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryCacheTest {
    /** The two small bundled libraries keep the test fast; libdnnl itself is 90 MB. */
    private static final List<String> SMALL = List.of(DnnlLibrary.GOMP_RESOURCE, DnnlLibrary.OPENCL_RESOURCE);
    private final ClassLoader loader = NativeLibraryCacheTest.class.getClassLoader();

    @Test
    void extractsResourcesByteForByteIntoAKeyedDirectory(@TempDir Path root) throws Exception {
        Path dir = new NativeLibraryCache(root).extract(loader, SMALL);

        assertThat(dir.getParent()).isEqualTo(root);
        assertThat(dir.getFileName().toString()).matches("[0-9a-f]{16}");
        for (String resource : SMALL) {
            Path file = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            try (InputStream in = loader.getResourceAsStream(resource)) {
                assertThat(Files.readAllBytes(file)).isEqualTo(in.readAllBytes());
            }
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("libgomp.so.1", "libOpenCL.so.1");
        }
    }

    @Test
    void secondExtractionReusesTheFiles(@TempDir Path root) throws Exception {
        NativeLibraryCache cache = new NativeLibraryCache(root);
        Path dir = cache.extract(loader, SMALL);
        Path gomp = dir.resolve("libgomp.so.1");
        FileTime marker = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(gomp, marker);

        assertThat(cache.extract(loader, SMALL)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(gomp)).isEqualTo(marker);
    }

    @Test
    void truncatedFileIsReplaced(@TempDir Path root) throws Exception {
        NativeLibraryCache cache = new NativeLibraryCache(root);
        Path dir = cache.extract(loader, SMALL);
        Path gomp = dir.resolve("libgomp.so.1");
        long size = Files.size(gomp);
        gomp.toFile().setWritable(true);
        Files.write(gomp, new byte[10]);

        cache.extract(loader, SMALL);

        assertThat(Files.size(gomp)).isEqualTo(size);
    }

    @Test
    void concurrentExtractionsBothSucceedWithCompleteFiles(@TempDir Path root) throws Exception {
        int workers = 4;
        CyclicBarrier start = new CyclicBarrier(workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Callable<Path> task = () -> {
                    start.await();
                    return new NativeLibraryCache(root).extract(loader, SMALL);
                };
                results.add(pool.submit(task));
            }
            Path first = results.get(0).get();
            for (Future<Path> f : results) {
                assertThat(f.get()).isEqualTo(first);
            }
            try (InputStream in = loader.getResourceAsStream(DnnlLibrary.GOMP_RESOURCE)) {
                assertThat(Files.readAllBytes(first.resolve("libgomp.so.1"))).isEqualTo(in.readAllBytes());
            }
            try (var listing = Files.list(first)) {
                assertThat(listing.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keyChangesWithContent() {
        var a = new NativeLibraryCache.Resource("x/lib.so", null, 10, 0x1234);
        var b = new NativeLibraryCache.Resource("x/lib.so", null, 10, 0x1235);
        assertThat(NativeLibraryCache.key(List.of(a))).isNotEqualTo(NativeLibraryCache.key(List.of(b)));
        assertThat(NativeLibraryCache.key(List.of(a))).isEqualTo(NativeLibraryCache.key(List.of(a)));
    }

    @Test
    void missingResourceIsNamedInTheError(@TempDir Path root) {
        assertThatThrownBy(() -> new NativeLibraryCache(root).extract(loader, List.of("org/example/libnothing.so")))
                .isInstanceOf(NativeLibraryException.class)
                .hasMessageContaining("org/example/libnothing.so is not on the class path");
    }
}
