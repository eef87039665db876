package org.dinoj.nativelib.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The ordered list of directories searched for CUDA libraries, built from the environment and
 * known install locations without running any program (no {@code python3}, no {@code ldconfig}):
 * <ol>
 *   <li>{@code DINOJ_CUDA_LIB_DIR} (one directory or a {@code :}-separated list)</li>
 *   <li>{@code LD_LIBRARY_PATH}</li>
 *   <li>the dynamic loader's directories: {@code /etc/ld.so.conf} with its includes, then the
 *       default system directories</li>
 *   <li>{@code /usr/local/cuda/lib64} and the driver's container mount {@code /usr/local/nvidia/lib64}</li>
 *   <li>the {@code nvidia/<package>/lib} folders of Python environments: {@code PYTHONPATH},
 *       {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, {@code /opt/torch/.venv}, {@code ~/.local},
 *       {@code /usr/local/lib/python3*}, {@code /usr/lib/python3/dist-packages}</li>
 * </ol>
 * Every absolute location is resolved under {@code root}, so tests can point it at a fake tree.
 */
public final class CudaSearchPath {
    public static final String LIB_DIR_VARIABLE = "DINOJ_CUDA_LIB_DIR";

    private static final List<String> SYSTEM_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");
    private static final List<String> CUDA_DIRS = List.of(
            "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/nvidia/lib64",
            "/usr/lib/wsl/lib");
    /** Python prefixes whose lib/python3.X/site-packages may hold NVIDIA wheels. */
    private static final List<String> PYTHON_PREFIXES = List.of("/opt/torch/.venv", "/usr/local", "/usr");

    private final Path root;
    private final Map<String, String> env;

    /**
     * @param root the file-system root that absolute locations are resolved under ({@code /} in use)
     * @param env  the environment variables to read (System.getenv() in use)
     */
    public CudaSearchPath(Path root, Map<String, String> env) {
        this.root = root;
        this.env = env;
    }

    /** The search path of this process. */
    public static CudaSearchPath ofSystem() {
        return new CudaSearchPath(Path.of("/"), System.getenv());
    }

    /** Existing directories in search order, each once. */
    public List<Path> directories() {
        Set<Path> dirs = new LinkedHashSet<>();
        addPathList(dirs, env.get(LIB_DIR_VARIABLE));
        addPathList(dirs, env.get("LD_LIBRARY_PATH"));
        for (String dir : loaderConfigDirectories()) {
            dirs.add(under(dir));
        }
        for (String dir : SYSTEM_DIRS) {
            dirs.add(under(dir));
        }
        for (String dir : CUDA_DIRS) {
            dirs.add(under(dir));
        }
        for (Path sitePackages : sitePackagesDirectories()) {
            dirs.addAll(children(sitePackages.resolve("nvidia"), "lib"));
        }
        List<Path> existing = new ArrayList<>();
        for (Path dir : dirs) {
            if (Files.isDirectory(dir)) {
                existing.add(dir);
            }
        }
        return existing;
    }

    /** Candidate site-packages folders (existing or not) in search order. */
    List<Path> sitePackagesDirectories() {
        List<Path> sites = new ArrayList<>();
        String pythonPath = env.get("PYTHONPATH");
        if (pythonPath != null) {
            for (String entry : pythonPath.split(":")) {
                if (!entry.isBlank()) {
                    sites.add(Path.of(entry));
                }
            }
        }
        for (String variable : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = env.get(variable);
            if (prefix != null && !prefix.isBlank()) {
                sites.addAll(pythonSitesOf(Path.of(prefix)));
            }
        }
        for (String prefix : PYTHON_PREFIXES) {
            sites.addAll(pythonSitesOf(under(prefix)));
        }
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) {
            sites.addAll(pythonSitesOf(Path.of(home).resolve(".local")));
        }
        sites.add(under("/usr/lib/python3/dist-packages"));
        return sites;
    }

    /** {@code prefix/lib/python3*}/{site,dist}-packages, newest Python first. */
    private static List<Path> pythonSitesOf(Path prefix) {
        List<Path> sites = new ArrayList<>();
        List<Path> pythons = children(prefix.resolve("lib"), null).stream()
                .filter(p -> p.getFileName().toString().startsWith("python3"))
                .sorted((x, y) -> y.getFileName().toString().compareTo(x.getFileName().toString()))
                .toList();
        for (Path python : pythons) {
            sites.add(python.resolve("site-packages"));
            sites.add(python.resolve("dist-packages"));
        }
        return sites;
    }

    /** {@code /etc/ld.so.conf} directories, following {@code include} lines (globs in one folder). */
    List<String> loaderConfigDirectories() {
        List<String> dirs = new ArrayList<>();
        readLoaderConfig(under("/etc/ld.so.conf"), dirs, 0);
        return dirs;
    }

    private void readLoaderConfig(Path file, List<String> dirs, int depth) {
        if (depth > 4 || !Files.isRegularFile(file)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return; // an unreadable loader config only narrows the search; the error names what was searched
        }
        for (String raw : lines) {
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("include ")) {
                String pattern = line.substring("include ".length()).strip();
                Path patternPath = pattern.startsWith("/") ? under(pattern) : file.getParent().resolve(pattern);
                Path folder = patternPath.getParent();
                String glob = patternPath.getFileName().toString();
                if (folder != null && Files.isDirectory(folder)) {
                    try (DirectoryStream<Path> matches = Files.newDirectoryStream(folder, glob)) {
                        List<Path> sorted = new ArrayList<>();
                        matches.forEach(sorted::add);
                        sorted.sort(null);
                        for (Path match : sorted) {
                            readLoaderConfig(match, dirs, depth + 1);
                        }
                    } catch (IOException e) {
                        // same as above: skip what cannot be read
                    }
                }
            } else if (line.startsWith("/")) {
                dirs.add(line);
            }
        }
    }

    /** Sub-folders of {@code dir} (sorted by name), each resolved with {@code sub} when not null. */
    private static List<Path> children(Path dir, String sub) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory)
                    .sorted()
                    .map(p -> sub == null ? p : p.resolve(sub))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private void addPathList(Set<Path> dirs, String list) {
        if (list == null) {
            return;
        }
        for (String entry : list.split(":")) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry.strip()));
            }
        }
    }

    private Path under(String absolute) {
        return root.resolve(absolute.substring(1));
    }
}
