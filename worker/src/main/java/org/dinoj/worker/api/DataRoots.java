package org.dinoj.worker.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories an API caller may name files in (datasets, configuration files, base
 * checkpoints). A path is accepted only when it is absolute, has no {@code ..} segment, exists,
 * and its real path (symbolic links followed) lies inside the real path of one of the roots, so
 * neither {@code ..} nor a link leads outside.
 */
public final class DataRoots {
    /** Real paths of the roots: where a file must really lie. */
    private final List<Path> roots;
    /** The roots as written and as real paths: where a path may point before links are followed. */
    private final List<Path> names;

    private DataRoots(List<Path> roots, List<Path> names) {
        this.roots = List.copyOf(roots);
        this.names = List.copyOf(names);
    }

    /** Roots as real paths; each must be an existing directory. */
    public static DataRoots of(List<Path> directories) throws IOException {
        List<Path> real = new ArrayList<>();
        List<Path> names = new ArrayList<>();
        for (Path d : directories) {
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException("data root " + d + " is not a directory; create it or fix --data-root");
            }
            real.add(d.toRealPath());
            names.add(d.toAbsolutePath().normalize());
            names.add(d.toRealPath());
        }
        return new DataRoots(real, names);
    }

    public List<Path> roots() {
        return roots;
    }

    /** The real path of {@code raw} (named {@code what} in errors), refused with 400 unless inside a root. */
    public Path confine(String what, String raw) {
        if (roots.isEmpty()) {
            throw ApiException.badRequest(what + " '" + raw + "' names a path, but this API was started without"
                    + " --data-root, so it accepts no paths; restart it with --data-root DIR");
        }
        Path path;
        try {
            path = Path.of(raw);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest(what + " '" + raw + "' is not a valid path: " + e.getReason());
        }
        if (!path.isAbsolute()) {
            throw ApiException.badRequest(what + " '" + raw + "' is not an absolute path; give one inside " + roots);
        }
        for (Path segment : path) {
            if (segment.toString().equals("..")) {
                throw ApiException.badRequest(what + " '" + raw + "' contains '..'; give a path inside " + roots
                        + " without '..'");
            }
        }
        // Outside the roots by name is refused before the file system is asked: no probing of other paths.
        if (names.stream().noneMatch(path::startsWith)) {
            throw ApiException.badRequest(what + " '" + raw + "' lies outside the data roots " + roots);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw ApiException.badRequest(what + " '" + raw + "' does not exist or cannot be read; give an existing path"
                    + " inside " + roots);
        }
        for (Path root : roots) {
            if (real.startsWith(root)) {
                return real;
            }
        }
        throw ApiException.badRequest(what + " '" + raw + "' leads outside the data roots " + roots
                + " through a symbolic link; links out of the data roots are refused");
    }
}
