package org.dinoj.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images in a directory tree ({@code folder:DIR}): every JPEG, PNG, BMP, GIF or TIFF file below the
 * root (macOS's {@code ._*} metadata files aside), found recursively and sorted by relative path so that index {@code i} is the same file on
 * every machine. When every image lies inside a sub-folder of the root, the sub-folder names are the
 * classes (sorted by name, label = position); when any image lies directly in the root, the dataset
 * is unlabelled. Files are decoded when asked for; a damaged file throws {@link IOException} (the
 * loader skips and counts it).
 *
 * <p>Splits: when the root holds a {@code train} folder and a {@code test} (or {@code val}) folder,
 * those are the splits, and their classes are the sorted sub-folder names of both, so a label means
 * the same class in either split. Otherwise the root itself is used for whichever split is asked for:
 * training takes all of it, and a k-NN refuses it ({@link Datasets#requireDistinctSplits}).
 */
public final class ImageFolderDataset implements Dataset {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");
    /** Image formats torchvision's ImageFolder or Pillow would take that dinoj cannot decode: skipped, and said so. */
    private static final Set<String> UNDECODED_IMAGES = Set.of("webp", "ppm", "pgm", "pbm", "pnm", "heic", "heif", "avif",
            "jxl", "jp2", "j2k", "tga", "ico", "psd");

    private final String spec;
    private final Path root;
    private final List<Path> files;
    private final int[] labels; // null when unlabelled
    private final List<String> classNames;

    private ImageFolderDataset(String spec, Path root, List<Path> files, int[] labels, List<String> classNames) {
        this.spec = spec;
        this.root = root;
        this.files = files;
        this.labels = labels;
        this.classNames = classNames;
    }

    /** Opens the given split below {@code dir} (see the class comment for how splits are found). */
    public static ImageFolderDataset open(Path dir, Split split, String spec) {
        if (Files.isRegularFile(dir)) {
            throw new DatasetSpecException("'" + spec + "' names the file " + dir + ": give the folder that holds the images");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException("image folder " + dir + " for '" + spec + "' does not exist or is not a directory: check the path");
        }
        Path root = splitRoot(dir, split);
        List<Path> relative = listImages(root, spec);
        if (relative.isEmpty()) {
            throw new DatasetException("image folder " + root + " for '" + spec
                    + "' holds no JPEG, PNG, BMP, GIF or TIFF files: check the path");
        }
        boolean labelled = relative.stream().allMatch(p -> p.getNameCount() > 1);
        int[] labels = null;
        List<String> classNames = List.of();
        if (labelled) {
            TreeSet<String> names = new TreeSet<>();
            for (Path p : relative) {
                names.add(p.getName(0).toString());
            }
            if (!root.equals(dir)) {
                // One class list for both splits, by one rule (every first-level folder of either, empty or hidden
                // ones too): a split without some class must not shift the others' labels.
                names.addAll(subFolderNames(splitRoot(dir, Split.TRAIN)));
                names.addAll(subFolderNames(splitRoot(dir, Split.TEST)));
            }
            classNames = List.copyOf(names);
            java.util.Map<String, Integer> labelOf = new java.util.HashMap<>();
            for (String name : classNames) {
                labelOf.put(name, labelOf.size());
            }
            labels = new int[relative.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = labelOf.get(relative.get(i).getName(0).toString());
            }
        } else if (relative.stream().anyMatch(p -> p.getNameCount() > 1)) {
            LOG.warn("{}: some images lie directly in {} ({}) and others in sub-folders, so sub-folders are not used as "
                    + "classes and the dataset is unlabelled", spec, root,
                    relative.stream().filter(p -> p.getNameCount() == 1).findFirst().orElseThrow());
        }
        List<Path> files = relative.stream().map(root::resolve).toList();
        ImageFolderDataset dataset = new ImageFolderDataset(
                spec + (root.equals(dir) ? "" : " (" + root.getFileName() + ")"), root, files, labels, classNames);
        LOG.info("opened {}", dataset.describe());
        return dataset;
    }

    private static Path splitRoot(Path dir, Split split) {
        Path train = dir.resolve("train");
        Path test = Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
        if (Files.isDirectory(train) && Files.isDirectory(test)) {
            return split == Split.TRAIN ? train : test;
        }
        return dir;
    }

    /**
     * Why a k-NN could not use {@code dir} as its bank (train split) and queries (test split), from its
     * layout alone, without listing its images (a job asks this before it trains, and a large folder
     * on a network mount takes long to walk); null when the layout has both splits with class folders.
     */
    public static String evaluationLayoutProblem(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null; // opening it says so, and is retried: a mount may come back
        }
        Path train = splitRoot(dir, Split.TRAIN);
        Path test = splitRoot(dir, Split.TEST);
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                return "is an empty folder: check the path";
            }
        } catch (IOException | UncheckedIOException e) {
            // Unreadable: the checks below say so with their own sentence.
        }
        if (train.equals(test)) {
            return subFolderNames(dir).isEmpty() ? "has no class folders, so it has no labels"
                    : "has no train/ and test/ (or val/) sub-folders, so its bank and its queries would be the same images";
        }
        for (Path split : List.of(train, test)) {
            if (subFolderNames(split).isEmpty()) {
                return "has no class folders in " + dir.relativize(split) + "/, so it has no labels";
            }
            List<String> loose = looseImages(split);
            if (!loose.isEmpty()) {
                // One stray file makes the whole split unlabelled (see open): said here, before hours of training.
                return "has " + loose.size() + " image file(s) directly in " + dir.relativize(split) + "/ beside its"
                        + " class folders (" + String.join(", ", loose.subList(0, Math.min(3, loose.size())))
                        + (loose.size() > 3 ? ", ..." : "") + "), which makes that split unlabelled: move them into"
                        + " a class folder or out of the dataset";
            }
        }
        return null;
    }

    /** Names of the image files directly in {@code root} (not in its sub-folders), sorted. */
    private static List<String> looseImages(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("._") && EXTENSIONS.contains(extension(Path.of(name))))
                    .sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of(); // opening the split lists it again and says what is wrong
        }
    }

    private static List<String> subFolderNames(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException("image folder " + root + " could not be listed (" + e.getMessage()
                    + "): check its permissions", e);
        }
    }

    /**
     * Image files below {@code root}, relative to it, sorted by their path with '/' separators.
     * Linked folders are walked, as torchvision's ImageFolder walks them: a class folder that is a
     * link to another disk must not count as a class without images. Where links were met, an image
     * reached by two paths is used once (at the first path in that order), and links to nothing are
     * said, not passed over.
     */
    private static List<Path> listImages(Path root, String spec) {
        List<Path> found = new ArrayList<>();
        Map<String, Integer> undecoded = new TreeMap<>();
        int macMetadata = 0;
        boolean linked = false;
        List<Path> dangling = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) {
                    linked = true;
                    if (!Files.exists(p)) {
                        dangling.add(root.relativize(p));
                        continue;
                    }
                }
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                String extension = extension(p);
                if (p.getFileName().toString().startsWith("._")) {
                    // macOS's AppleDouble companions of copied files: metadata named like the image, never an image.
                    macMetadata++;
                } else if (EXTENSIONS.contains(extension)) {
                    found.add(root.relativize(p));
                } else if (UNDECODED_IMAGES.contains(extension)) {
                    undecoded.merge("." + extension, 1, Integer::sum);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            if (e.getCause() instanceof FileSystemLoopException loop) {
                throw new DatasetException("image folder " + root + " for '" + spec + "' links back into itself at "
                        + loop.getFile() + ": remove that link", e);
            }
            throw new DatasetException("image folder " + root + " for '" + spec + "' could not be listed (" + e.getMessage()
                    + "): check its permissions", e);
        }
        found.sort(Comparator.comparing(p -> p.toString().replace('\\', '/')));
        if (linked) {
            found = onceEach(root, spec, found);
        }
        if (!dangling.isEmpty()) {
            LOG.warn("{}: {} link(s) in {} point to nothing and are left out (first: {}): restore their targets or"
                    + " remove them", spec, dangling.size(), root, dangling.getFirst());
        }
        if (!undecoded.isEmpty()) {
            LOG.warn("{}: left out of {}: {} (dinoj decodes JPEG, PNG, BMP, GIF and TIFF: convert these to use them)",
                    spec, root, String.join(", ", undecoded.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()
                            + " file" + (e.getValue() == 1 ? "" : "s")).toList()));
        }
        if (macMetadata > 0) {
            LOG.info("{}: ignored {} macOS metadata file(s) (._*) in {}", spec, macMetadata, root);
        }
        return found;
    }

    /**
     * {@code sorted} with each file once, by its real path: links can reach one image twice. The
     * path that goes through no link keeps the image (its folder is its class), else the first.
     */
    private static List<Path> onceEach(Path root, String spec, List<Path> sorted) {
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            return sorted;
        }
        Map<Path, Path> kept = new java.util.LinkedHashMap<>();
        int repeats = 0;
        String firstRepeat = null;
        for (Path p : sorted) {
            Path real;
            try {
                real = root.resolve(p).toRealPath();
            } catch (IOException gone) {
                kept.put(root.resolve(p), p); // vanished since the walk: reading it will say so
                continue;
            }
            Path earlier = kept.get(real);
            if (earlier == null) {
                kept.put(real, p);
                continue;
            }
            repeats++;
            boolean direct = real.equals(realRoot.resolve(p));
            firstRepeat = firstRepeat != null ? firstRepeat : (direct ? earlier + " is " + p : p + " is " + earlier);
            if (direct) {
                kept.put(real, p);
            }
        }
        if (repeats == 0) {
            return sorted;
        }
        List<Path> once = new ArrayList<>(kept.values());
        once.sort(Comparator.comparing(p -> p.toString().replace('\\', '/')));
        LOG.warn("{}: {} of the {} image paths in {} reach an image listed by another path, through links (first: {});"
                + " each image is used once, at its path without links where it has one: {} in all", spec, repeats,
                sorted.size(), root, firstRepeat, once.size());
        return once;
    }

    /** The lower-case extension of a file name with a stem ("" for none, and for ".jpg" alone). */
    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    @Override
    public int size() {
        return files.size();
    }

    /** Image {@code index} as {@code [C, H, W]} in [0, 1], C = 1 for grayscale files, else 3. */
    @Override
    public Image image(int index) throws IOException {
        return ImageFileDecoder.decode(files.get(index));
    }

    @Override
    public int label(int index) {
        return labels == null ? -1 : labels[index];
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    /** Class names in label order (the sorted sub-folder names); empty when unlabelled. */
    public List<String> classNames() {
        return classNames;
    }

    /** The folder this split's images were listed from (the dataset's own root when it has no splits). */
    public Path root() {
        return root;
    }

    /** The file behind image {@code index}. */
    public Path file(int index) {
        return files.get(index);
    }

    @Override
    public String name() {
        return spec;
    }

    /** The count and a sha256 of the files' relative paths (which also give their labels). */
    @Override
    public String fingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        for (Path f : files) {
            sha.update((root.relativize(f).toString().replace('\\', '/') + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return size() + " image files, listing sha256 " + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    @Override
    public String describe() {
        return spec + ": " + size() + " image files in " + root
                + (labels == null ? ", unlabelled" : ", " + classNames.size() + " classes");
    }

    @Override
    public String source(int index) {
        return files.get(index).toString();
    }
}
