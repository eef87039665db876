package org.dinoj.model.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens a dataset from its spec string, as given on the command line and in configs:
 *
 * <ul>
 *   <li>{@code idx:DIR} MNIST-style IDX files in DIR ({@link IdxDataset});
 *   <li>{@code folder:DIR} an image folder, sub-folders as classes ({@link ImageFolderDataset});
 *   <li>{@code synthetic:N[:HxW[xC]][:K]} N generated images, default 28x28x1, K = 10 classes
 *       ({@link SyntheticDataset});
 *   <li>{@code fashion-mnist} the Fashion-MNIST IDX files from the Debian package
 *       {@code dataset-fashion-mnist} or from {@code ~/.dinoj/datasets/fashion-mnist}.
 * </ul>
 *
 * The split (train or test) is a separate argument, so one spec names both halves of a dataset.
 * Every problem a user can cause (unknown spec, wrong path, no images) is a {@link DatasetException}
 * thrown here, before any training starts.
 */
public final class Datasets {
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path FASHION_MNIST_DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");
    /** Where to put manually downloaded Fashion-MNIST files. */
    public static final Path FASHION_MNIST_USER = Path.of(System.getProperty("user.home"), ".dinoj", "datasets", "fashion-mnist");
    /** The official download location of the four Fashion-MNIST files. */
    public static final String FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    private static final String FORMS = "idx:DIR, folder:DIR, synthetic:N[:HxW[xC]][:K] or fashion-mnist";

    private Datasets() {}

    public static Dataset open(String spec, Split split) {
        Spec s = Spec.parse(spec);
        return switch (s.kind()) {
            case "fashion-mnist" -> IdxDataset.open(fashionMnistDir(), split, "fashion-mnist");
            case "idx" -> IdxDataset.open(path(s.arg(), s.text()), split, s.text());
            case "folder" -> ImageFolderDataset.open(path(s.arg(), s.text()), split, s.text());
            case "synthetic" -> synthetic(s.arg(), s.text(), split);
            default -> throw s.unknown();
        };
    }

    /**
     * Checks a spec's form without touching the file system (a job's data may be on a mount the
     * submitting machine lacks): the kind, a path where one is needed, a {@code synthetic:} spec's numbers.
     *
     * @throws DatasetSpecException naming what is wrong
     */
    public static void checkSpec(String spec) {
        Spec s = Spec.parse(spec);
        switch (s.kind()) {
            case "fashion-mnist" -> { }
            case "idx", "folder" -> path(s.arg(), s.text());
            case "synthetic" -> synthetic(s.arg(), s.text(), Split.TRAIN);
            default -> throw s.unknown();
        }
    }

    /**
     * {@code spec} with a relative {@code idx:} or {@code folder:} directory made absolute against
     * {@code base}: a job's workers, a resume from another shell and {@code eval} of its checkpoints
     * run in other working directories. Other specs, and a spec that does not parse, come back as they are.
     */
    public static String anchored(String spec, Path base) {
        if (spec == null || spec.isBlank()) {
            return spec;
        }
        Spec s = Spec.parse(spec);
        if (!s.kind().equals("idx") && !s.kind().equals("folder") || s.arg().isBlank()) {
            return spec;
        }
        Path dir;
        try {
            dir = Path.of(s.arg());
        } catch (java.nio.file.InvalidPathException e) {
            return spec;
        }
        return dir.isAbsolute() ? spec : s.kind() + ":" + base.toAbsolutePath().resolve(dir).normalize();
    }

    /** A spec split into its kind (lower case) and what follows the colon. */
    private record Spec(String text, String kind, String arg) {
        static Spec parse(String spec) {
            if (spec == null || spec.isBlank()) {
                throw new DatasetSpecException("no dataset given: name one as " + FORMS);
            }
            String text = spec.strip();
            if (text.equalsIgnoreCase("fashion-mnist")) {
                return new Spec(text, "fashion-mnist", "");
            }
            int colon = text.indexOf(':');
            return new Spec(text, colon < 0 ? text.toLowerCase(Locale.ROOT) : text.substring(0, colon).toLowerCase(Locale.ROOT),
                    colon < 0 ? "" : text.substring(colon + 1));
        }

        DatasetSpecException unknown() {
            return new DatasetSpecException("unknown dataset '" + text + "': use " + FORMS);
        }
    }

    /** The directory a {@code folder:DIR} spec names; empty for any other kind of dataset. */
    public static java.util.Optional<Path> folder(String spec) {
        String trimmed = spec == null ? "" : spec.strip();
        int colon = trimmed.indexOf(':');
        return colon > 0 && trimmed.substring(0, colon).equalsIgnoreCase("folder")
                ? java.util.Optional.of(path(trimmed.substring(colon + 1), trimmed)) : java.util.Optional.empty();
    }

    /**
     * Refuses a bank and queries that are the same images: a {@code folder:} without {@code train/} and
     * {@code test/} sub-folders gives its root for both splits, and every query would find itself.
     *
     * @param remedy what to do instead, the end of the sentence
     * @throws IllegalArgumentException when {@code train} and {@code test} are one folder
     */
    public static void requireDistinctSplits(Dataset train, Dataset test, String remedy) {
        if (train instanceof ImageFolderDataset a && test instanceof ImageFolderDataset b && a.root().equals(b.root())) {
            throw new IllegalArgumentException(a.name() + " has no train/ and test/ (or val/) sub-folders, so its bank and"
                    + " its queries would be the same images and every query would find itself: " + remedy);
        }
    }

    /**
     * The directory holding the Fashion-MNIST files: the Debian package's, else the user's.
     *
     * @throws DatasetException saying how to get the files when neither has them
     */
    public static Path fashionMnistDir() {
        return fashionMnistDir(List.of(FASHION_MNIST_DEBIAN, FASHION_MNIST_USER));
    }

    /** The first of {@code candidates} that holds the Fashion-MNIST train images. */
    static Path fashionMnistDir(List<Path> candidates) {
        for (Path dir : candidates) {
            if (Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                    || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"))) {
                return dir;
            }
        }
        throw new DatasetException("Fashion-MNIST was not found in " + String.join(" or ", candidates.stream().map(Path::toString).toList())
                + ": install it with 'apt-get install dataset-fashion-mnist', or download train-images-idx3-ubyte.gz, "
                + "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from "
                + FASHION_MNIST_URL + " into " + FASHION_MNIST_USER);
    }

    private static Path path(String arg, String spec) {
        if (arg.isBlank()) {
            throw new DatasetSpecException("dataset '" + spec + "' names no directory: write it as e.g. idx:/data/mnist or folder:/data/images");
        }
        return Path.of(arg);
    }

    private static SyntheticDataset synthetic(String arg, String spec, Split split) {
        String[] parts = arg.split(":", -1);
        try {
            int n = Integer.parseInt(parts[0]);
            int height = 28;
            int width = 28;
            int channels = 1;
            int classes = 10;
            if (parts.length > 3) {
                throw new NumberFormatException();
            }
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].contains("x")) {
                    String[] size = parts[i].split("x", -1);
                    if (size.length < 2 || size.length > 3) {
                        throw new NumberFormatException();
                    }
                    height = Integer.parseInt(size[0]);
                    width = Integer.parseInt(size[1]);
                    channels = size.length == 3 ? Integer.parseInt(size[2]) : 1;
                } else {
                    classes = Integer.parseInt(parts[i]);
                }
            }
            return new SyntheticDataset(spec, n, channels, height, width, classes, split);
        } catch (NumberFormatException e) {
            throw new DatasetSpecException("synthetic dataset '" + spec
                    + "' is not of the form synthetic:N[:HxW[xC]][:K], e.g. synthetic:1000 or synthetic:1000:32x32x3:10");
        }
    }
}
