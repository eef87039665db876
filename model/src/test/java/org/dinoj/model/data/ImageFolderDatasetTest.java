package org.dinoj.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
    @TempDir
    Path dir;

    /** Writes a grayscale image whose every pixel is {@code value}. */
    static void writeGray(Path file, int size, int value, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.getRaster().setSample(x, y, 0, value);
            }
        }
        assertThat(ImageIO.write(image, format, file.toFile())).as("writer for " + format).isTrue();
    }

    /** Writes an RGB image whose every pixel is (r, g, b). */
    static void writeRgb(Path file, int size, int r, int g, int b, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        assertThat(ImageIO.write(image, format, file.toFile())).as("writer for " + format).isTrue();
    }

    @Test
    void classSubFoldersGiveSortedLabels() throws IOException {
        writeGray(dir.resolve("zebra/b.png"), 4, 10, "png");
        writeGray(dir.resolve("zebra/a.png"), 4, 20, "png");
        writeGray(dir.resolve("ant/deep/nested/c.png"), 4, 30, "png");
        writeRgb(dir.resolve("moth/d.bmp"), 4, 200, 100, 50, "bmp");
        Files.writeString(dir.resolve("moth/notes.txt"), "not an image");

        ImageFolderDataset data = (ImageFolderDataset) Datasets.open("folder:" + dir, Split.TRAIN);
        assertThat(data.size()).isEqualTo(4);
        assertThat(data.classNames()).containsExactly("ant", "moth", "zebra");
        // Files sorted by relative path: ant/deep/nested/c, moth/d, zebra/a, zebra/b.
        assertThat(data.file(0)).isEqualTo(dir.resolve("ant/deep/nested/c.png"));
        assertThat(data.file(2)).isEqualTo(dir.resolve("zebra/a.png"));
        assertThat(new int[] {data.label(0), data.label(1), data.label(2), data.label(3)}).containsExactly(0, 1, 2, 2);

        Image gray = data.image(2);
        assertThat(gray.channels()).isEqualTo(1);
        assertThat(gray.get(0, 3, 3)).isEqualTo(20 / 255f);
        Image rgb = data.image(1);
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(new float[] {rgb.get(0, 1, 2), rgb.get(1, 1, 2), rgb.get(2, 1, 2)})
                .containsExactly(200 / 255f, 100 / 255f, 50 / 255f);
    }

    /** As torchvision's ImageFolder: a class folder linked in from another disk is a class with its images. */
    @Test
    void linkedFoldersAreWalkedAndALinkLoopIsOneSentence(@TempDir Path elsewhere) throws IOException {
        writeGray(dir.resolve("data/ant/a.png"), 4, 10, "png");
        writeGray(elsewhere.resolve("moths/b.png"), 4, 20, "png");
        writeGray(elsewhere.resolve("moths/deeper/c.png"), 4, 30, "png");
        Files.createSymbolicLink(dir.resolve("data/moth"), elsewhere.resolve("moths"));

        ImageFolderDataset data = (ImageFolderDataset) Datasets.open("folder:" + dir.resolve("data"), Split.TRAIN);
        assertThat(data.classNames()).containsExactly("ant", "moth");
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.file(1)).isEqualTo(dir.resolve("data/moth/b.png"));
        assertThat(new int[] {data.label(0), data.label(1), data.label(2)}).containsExactly(0, 1, 1);
        assertThat(data.image(2).get(0, 0, 0)).isCloseTo(30 / 255f, org.assertj.core.data.Offset.offset(1e-6f));

        Path loop = elsewhere.resolve("moths/deeper/again");
        Files.createSymbolicLink(loop, elsewhere.resolve("moths"));
        assertThatThrownBy(() -> Datasets.open("folder:" + dir.resolve("data"), Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessage("image folder " + dir.resolve("data") + " for 'folder:" + dir.resolve("data")
                        + "' links back into itself at " + dir.resolve("data/moth/deeper/again") + ": remove that link");
    }

    /** A folder linked in twice reaches each image by two paths: each is used once; a link to nothing is left out. */
    @Test
    void anImageReachedTwiceThroughLinksIsUsedOnceAndADanglingLinkIsLeftOut() throws IOException {
        writeGray(dir.resolve("data/2024/a.png"), 4, 10, "png");
        writeGray(dir.resolve("data/2024/b.png"), 4, 20, "png");
        writeGray(dir.resolve("data/2025/c.png"), 4, 30, "png");
        Files.createSymbolicLink(dir.resolve("data/2025/b-again.png"), dir.resolve("data/2024/b.png"));
        Files.createSymbolicLink(dir.resolve("data/favourites"), dir.resolve("data/2024"));
        Files.createSymbolicLink(dir.resolve("data/2025/gone.png"), dir.resolve("data/nothing.png"));

        ImageFolderDataset data = (ImageFolderDataset) Datasets.open("folder:" + dir.resolve("data"), Split.TRAIN);
        assertThat(data.size()).isEqualTo(3);
        // The first path in the listing's order keeps the image: 2024/b, not 2025/b-again or favourites/b.
        assertThat(java.util.stream.IntStream.range(0, 3).mapToObj(data::file))
                .containsExactly(dir.resolve("data/2024/a.png"), dir.resolve("data/2024/b.png"), dir.resolve("data/2025/c.png"));
        assertThat(data.classNames()).containsExactly("2024", "2025");

        // A link that sorts first does not take the image from its own class folder.
        Files.createSymbolicLink(dir.resolve("data/0-best"), dir.resolve("data/2025"));
        ImageFolderDataset again = (ImageFolderDataset) Datasets.open("folder:" + dir.resolve("data"), Split.TRAIN);
        assertThat(again.classNames()).containsExactly("2024", "2025");
        assertThat(again.file(2)).isEqualTo(dir.resolve("data/2025/c.png"));
        assertThat(again.label(2)).isEqualTo(1);
    }

    @Test
    void theFingerprintFollowsTheListingNotTheFoldersPlace() throws IOException {
        writeGray(dir.resolve("a/cat/1.png"), 4, 10, "png");
        writeGray(dir.resolve("a/dog/2.png"), 4, 20, "png");
        writeGray(dir.resolve("b/cat/1.png"), 4, 99, "png"); // other pixels, same names: contents are not read
        writeGray(dir.resolve("b/dog/2.png"), 4, 20, "png");
        String a = Datasets.open("folder:" + dir.resolve("a"), Split.TRAIN).fingerprint();
        assertThat(a).startsWith("2 image files, listing sha256 ");
        assertThat(Datasets.open("folder:" + dir.resolve("b"), Split.TRAIN).fingerprint()).isEqualTo(a);
        writeGray(dir.resolve("b/dog/3.png"), 4, 20, "png");
        assertThat(Datasets.open("folder:" + dir.resolve("b"), Split.TRAIN).fingerprint()).startsWith("3 image files");
        Files.move(dir.resolve("a/dog/2.png"), dir.resolve("a/cat/2.png")); // a relabelled file
        assertThat(Datasets.open("folder:" + dir.resolve("a"), Split.TRAIN).fingerprint()).isNotEqualTo(a)
                .startsWith("2 image files");
    }

    @Test
    void imagesInTheRootMeanUnlabelled() throws IOException {
        writeGray(dir.resolve("x.png"), 4, 1, "png");
        writeGray(dir.resolve("sub/y.gif"), 4, 2, "gif");
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        assertThat(data.size()).isEqualTo(2);
        assertThat(data.numClasses()).isZero();
        assertThat(data.label(0)).isEqualTo(-1);
    }

    @Test
    void trainAndTestSubFoldersAreSplits() throws IOException {
        writeGray(dir.resolve("train/cat/1.png"), 4, 1, "png");
        writeGray(dir.resolve("train/dog/2.png"), 4, 2, "png");
        writeGray(dir.resolve("train/dog/3.png"), 4, 3, "png");
        writeGray(dir.resolve("val/dog/4.png"), 4, 4, "png");
        Dataset train = Datasets.open("folder:" + dir, Split.TRAIN);
        Dataset test = Datasets.open("folder:" + dir, Split.TEST);
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.numClasses()).isEqualTo(2);
        assertThat(test.size()).isEqualTo(1);
        assertThat(test.image(0).get(0, 0, 0)).isEqualTo(4 / 255f);
    }

    @Test
    void aClassMissingFromTheTestSplitDoesNotShiftTheOthersLabels() throws IOException {
        writeGray(dir.resolve("train/cat/1.png"), 4, 1, "png");
        writeGray(dir.resolve("train/dog/2.png"), 4, 2, "png");
        writeGray(dir.resolve("train/fox/3.png"), 4, 3, "png");
        writeGray(dir.resolve("test/cat/4.png"), 4, 4, "png");
        writeGray(dir.resolve("test/fox/5.png"), 4, 5, "png");
        ImageFolderDataset train = (ImageFolderDataset) Datasets.open("folder:" + dir, Split.TRAIN);
        ImageFolderDataset test = (ImageFolderDataset) Datasets.open("folder:" + dir, Split.TEST);
        assertThat(test.classNames()).containsExactly("cat", "dog", "fox").isEqualTo(train.classNames());
        assertThat(train.label(2)).isEqualTo(2); // train/fox
        assertThat(test.label(1)).isEqualTo(2); // test/fox: the same label, not 1
        assertThat(test.numClasses()).isEqualTo(3);

        // Folders without images count on both sides alike (an empty class, a notebook's hidden folder).
        Files.createDirectories(dir.resolve("train/.ipynb_checkpoints"));
        Files.createDirectories(dir.resolve("test/ant"));
        ImageFolderDataset train2 = (ImageFolderDataset) Datasets.open("folder:" + dir, Split.TRAIN);
        ImageFolderDataset test2 = (ImageFolderDataset) Datasets.open("folder:" + dir, Split.TEST);
        assertThat(train2.classNames()).isEqualTo(test2.classNames()).contains("ant", "cat", "fox");
        assertThat(train2.label(2)).isEqualTo(test2.label(1)); // fox
    }

    @Test
    void jpegDecodesToThreeChannels() throws IOException {
        writeRgb(dir.resolve("a/photo.jpg"), 16, 255, 0, 0, "jpg");
        Image image = Datasets.open("folder:" + dir, Split.TRAIN).image(0);
        assertThat(image.channels()).isEqualTo(3);
        // JPEG is lossy (chroma subsampling and quantisation): pure red comes back within 10/255.
        assertThat(image.get(0, 8, 8)).isGreaterThan(245 / 255f);
        assertThat(image.get(1, 8, 8)).isLessThan(10 / 255f);
    }

    /** Pillow reads such files (the profile is metadata); the JPEG reader ignores the profile with a warning. */
    @Test
    void aJpegWithAnInvalidColourProfileDecodesAsWithoutIt() throws IOException {
        writeRgb(dir.resolve("a/plain.jpg"), 16, 200, 60, 30, "jpg");
        byte[] garbage = new byte[200];
        new java.util.Random(1).nextBytes(garbage);
        withColourProfile(dir.resolve("a/plain.jpg"), garbage, dir.resolve("a/profiled.jpg"));
        assertProfiledDecodesAsPlain();
    }

    /**
     * A valid embedded profile is not applied either, as Pillow (and so PyTorch's loaders) read the
     * file: the pixels are the stored ones.
     */
    @Test
    void aJpegWithAValidColourProfileGivesItsStoredPixelsAsPillowDoes() throws IOException {
        java.util.Random random = new java.util.Random(3);
        BufferedImage noise = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        Files.createDirectories(dir.resolve("a"));
        ImageIO.write(noise, "jpg", dir.resolve("a/plain.jpg").toFile());
        byte[] linearRgb = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_LINEAR_RGB).getData();
        withColourProfile(dir.resolve("a/plain.jpg"), linearRgb, dir.resolve("a/profiled.jpg"));
        // Converted from linear RGB to sRGB, every mid-tone would brighten by tens of levels.
        assertProfiledDecodesAsPlain();
    }

    /** a/profiled.jpg (a/plain.jpg with a colour profile) decodes to plain.jpg's pixels, in three channels. */
    private void assertProfiledDecodesAsPlain() throws IOException {
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        Image plain = data.image(0);
        Image profiled = data.image(1);
        assertThat(profiled.channels()).isEqualTo(3);
        assertThat(profiled.pixels()).containsExactly(plain.pixels());
    }

    /** {@code source}, a JPEG, with an APP2 ICC_PROFILE segment holding {@code profile} after its SOI marker. */
    private static void withColourProfile(Path source, byte[] profile, Path target) throws IOException {
        byte[] jpeg = Files.readAllBytes(source);
        byte[] id = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int length = 2 + id.length + 2 + profile.length;
        java.io.ByteArrayOutputStream withProfile = new java.io.ByteArrayOutputStream();
        withProfile.write(jpeg, 0, 2);
        withProfile.write(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
        withProfile.write(id);
        withProfile.write(new byte[] {1, 1}); // chunk 1 of 1
        withProfile.write(profile);
        withProfile.write(jpeg, 2, jpeg.length - 2);
        Files.write(target, withProfile.toByteArray());
    }

    @Test
    void damagedFilesThrowIOException() throws IOException {
        writeRgb(dir.resolve("a/good.png"), 32, 1, 2, 3, "png");
        byte[] png = Files.readAllBytes(dir.resolve("a/good.png"));
        Files.write(dir.resolve("a/half.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.write(dir.resolve("a/random.jpg"), new java.util.Random(1).ints(500, 0, 256).collect(
                java.io.ByteArrayOutputStream::new, (o, v) -> o.write(v), (a, b) -> a.writeBytes(b.toByteArray())).toByteArray());
        Dataset data = Datasets.open("folder:" + dir, Split.TRAIN);
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.image(0)).isNotNull(); // good.png
        // Damaged, not unreadable: a retry would meet them again.
        assertThatThrownBy(() -> data.image(1)).isInstanceOf(DamagedImageException.class).hasMessageContaining("half.png");
        assertThatThrownBy(() -> data.image(2)).isInstanceOf(DamagedImageException.class).hasMessageContaining("random.jpg");
        Files.delete(dir.resolve("a/good.png"));
        assertThatThrownBy(() -> data.image(0)).isInstanceOf(IOException.class).isNotInstanceOf(DamagedImageException.class);
    }

    /** TIFFs are listed and decoded; macOS metadata and formats dinoj cannot decode are left out, and the log counts them. */
    @Test
    void tiffsAreImagesAndMacMetadataAndUndecodableFormatsAreLeftOut() throws IOException {
        writeGray(dir.resolve("a/scan.tif"), 4, 77, "tiff");
        writeRgb(dir.resolve("a/photo.png"), 4, 1, 2, 3, "png");
        Files.write(dir.resolve("a/._photo.png"), new byte[]{0, 5, 22, 7, 0, 2, 0, 0});
        writeGray(dir.resolve("b/x.png"), 4, 1, "png");
        Files.write(dir.resolve("b/clip.webp"), "RIFF....WEBPVP8 ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.write(dir.resolve("b/frame.ppm"), "P6 1 1 255 abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.write(dir.resolve("b/other.webp"), new byte[]{1});
        // slf4j-simple writes to whatever System.err is at the time: the log line is read back from it.
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        ImageFolderDataset data;
        try {
            System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
            data = (ImageFolderDataset) Datasets.open("folder:" + dir, Split.TRAIN);
        } finally {
            System.setErr(stderr);
        }
        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("left out of " + dir + ": 1 .ppm file, 2 .webp files (dinoj decodes JPEG, PNG, BMP, GIF and TIFF:"
                        + " convert these to use them)")
                .contains("ignored 1 macOS metadata file(s) (._*) in " + dir);
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.file(0)).isEqualTo(dir.resolve("a/photo.png"));
        assertThat(data.file(1)).isEqualTo(dir.resolve("a/scan.tif"));
        assertThat(data.image(1).get(0, 2, 2)).isEqualTo(77 / 255f);
        assertThat(data.classNames()).containsExactly("a", "b");
    }

    /** Junk that an ImageIO reader of another format (WBMP) would take, empty files, and samples wider than 16 bits. */
    @Test
    void filesOfOtherFormatsEmptyFilesAndWideSamplesAreRefusedNotDecoded() throws IOException {
        Path junk = dir.resolve("junk.jpg");
        Files.write(junk, new byte[]{0, 0, 32, 24, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74,
                75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100});
        assertThatThrownBy(() -> ImageFileDecoder.decode(junk)).isInstanceOf(DamagedImageException.class)
                .hasMessage(junk + " is not a JPEG, PNG, BMP, GIF or TIFF image");
        Path empty = Files.createFile(dir.resolve("empty.png"));
        assertThatThrownBy(() -> ImageFileDecoder.decode(empty)).isInstanceOf(DamagedImageException.class)
                .hasMessage(empty + " is empty (0 bytes)");
        java.util.Map<Integer, String> refused = java.util.Map.of(java.awt.image.DataBuffer.TYPE_INT, "32-bit samples",
                java.awt.image.DataBuffer.TYPE_FLOAT, "floating-point samples",
                java.awt.image.DataBuffer.TYPE_SHORT, "signed 16-bit samples");
        for (int type : refused.keySet()) {
            java.awt.image.ComponentColorModel model = new java.awt.image.ComponentColorModel(
                    java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), false, false,
                    java.awt.Transparency.OPAQUE, type);
            BufferedImage wide = new BufferedImage(model, model.createCompatibleWritableRaster(4, 4), false, null);
            Path file = dir.resolve("wide-" + type + ".png"); // a TIFF under another name, as the audit found one
            assertThat(ImageIO.write(wide, "tiff", file.toFile())).isTrue();
            assertThatThrownBy(() -> ImageFileDecoder.decode(file)).isInstanceOf(DamagedImageException.class)
                    .hasMessage(file + " has " + refused.get(type) + ", which dinoj does not decode: convert it to 8 or 16"
                            + " bits per sample");
        }
    }

    /**
     * A CMYK ("separated") TIFF gives the RGB Pillow 13.0.0 gives for these samples
     * ({@code Image.new('CMYK', ...).convert('RGB')}, and Pillow reads this very layout of file the
     * same), not the JDK's CMYK-profile conversion (which gave (255, 243, 102) for the first).
     */
    @Test
    void cmykTiffsDecodeToPillowsRgb() throws IOException {
        int[][] cmyk = {{0, 27, 221, 0}, {255, 0, 0, 0}, {10, 200, 30, 128}, {255, 255, 255, 255}, {0, 0, 0, 255},
                {100, 150, 200, 50}};
        int[][] pillow = {{255, 228, 34}, {0, 255, 255}, {122, 27, 112}, {0, 0, 0}, {0, 0, 0}, {125, 84, 44}};
        Path file = dir.resolve("cmyk.tif");
        Files.write(file, cmykTiff(cmyk));
        Image decoded = ImageFileDecoder.decode(file);
        assertThat(decoded.channels()).isEqualTo(3);
        assertThat(decoded.width()).isEqualTo(cmyk.length);
        for (int x = 0; x < cmyk.length; x++) {
            for (int c = 0; c < 3; c++) {
                assertThat(Math.round(decoded.get(c, 0, x) * 255)).as("pixel %d channel %d", x, c).isEqualTo(pillow[x][c]);
            }
        }
    }

    /** An uncompressed, little-endian TIFF of one row of 8-bit CMYK pixels (photometric 5, ink set 1). */
    private static byte[] cmykTiff(int[][] pixels) {
        int w = pixels.length;
        int[][] entries = { // tag, type (3 SHORT, 4 LONG), count, value
                {256, 3, 1, w}, {257, 3, 1, 1}, {258, 3, 4, 146}, {259, 3, 1, 1}, {262, 3, 1, 5}, {273, 4, 1, 154},
                {277, 3, 1, 4}, {278, 3, 1, 1}, {279, 4, 1, 4 * w}, {284, 3, 1, 1}, {332, 3, 1, 1}};
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(154 + 4 * w).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) entries.length);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
            if (e[1] == 3 && e[2] == 1) {
                b.putShort((short) e[3]).putShort((short) 0);
            } else {
                b.putInt(e[3]);
            }
        }
        b.putInt(0); // no next IFD: ends at 146, where the four BitsPerSample values go
        for (int i = 0; i < 4; i++) {
            b.putShort((short) 8);
        }
        for (int[] p : pixels) {
            for (int v : p) {
                b.put((byte) v);
            }
        }
        return b.array();
    }

    /**
     * CMYK and YCCK JPEGs give the RGB Pillow gives (Pillow 13.0.0 read these very files: left half
     * stored (84, 245, 128, 115), right half (200, 30, 60, 10)), not ImageIO's profile conversion.
     */
    @Test
    void fourChannelJpegsDecodeToPillowsRgb() throws IOException {
        java.awt.image.WritableRaster stored = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                stored.setPixel(x, y, x < 8 ? new int[]{84, 245, 128, 115} : new int[]{200, 30, 60, 10});
            }
        }
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam quality = writer.getDefaultWriteParam();
        quality.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        quality.setCompressionQuality(1f);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(stored, null, null), quality);
        }
        byte[] plain = bytes.toByteArray(); // CMYK without an Adobe marker
        int[][][] expected = {
                {{38, 110, 58}, {8, 1, 2}},   // CMYK, with or without the marker: Pillow assumes Adobe's inversion
                {{77, 95, 0}, {6, 0, 9}}};    // the same samples marked YCCK (Adobe transform 2)
        for (int transform : new int[]{-1, 0, 2}) {
            Path file = dir.resolve("cmyk" + transform + ".jpg");
            byte[] jpeg = plain;
            if (transform >= 0) {
                byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
                jpeg = new byte[plain.length + adobe.length];
                System.arraycopy(plain, 0, jpeg, 0, 2);
                System.arraycopy(adobe, 0, jpeg, 2, adobe.length);
                System.arraycopy(plain, 2, jpeg, 2 + adobe.length, plain.length - 2);
            }
            Files.write(file, jpeg);
            Image rgb = ImageFileDecoder.decode(file);
            assertThat(rgb.channels()).isEqualTo(3);
            int[][] want = expected[transform == 2 ? 1 : 0];
            for (int half = 0; half < 2; half++) {
                int x = half == 0 ? 2 : 12;
                assertThat(new float[]{rgb.get(0, 3, x), rgb.get(1, 3, x), rgb.get(2, 3, x)}).as(file + " x " + x)
                        .containsExactly(want[half][0] / 255f, want[half][1] / 255f, want[half][2] / 255f);
            }
        }
    }

    private static final int[][] GIF_PALETTE = {{10, 20, 30}, {200, 50, 60}, {70, 180, 90}, {250, 240, 5}};

    /**
     * A GIF of a {@code screen} x {@code screen} logical screen (background index 3) whose only frame is
     * {@code frame} x {@code frame} at (2, 2), pixel (x, y) of it palette index (x + y) % 3, with
     * {@code transparent} as its transparent index (or none when negative). LZW with a clear code
     * before every index, so the codes stay 3 bits wide.
     */
    private static byte[] gif(int screen, int frame, int transparent) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {(byte) screen, 0, (byte) screen, 0, (byte) 0x81, 3, 0});
        for (int[] colour : GIF_PALETTE) {
            for (int c : colour) {
                out.write(c);
            }
        }
        if (transparent >= 0) {
            out.writeBytes(new byte[] {0x21, (byte) 0xF9, 4, 1, 0, 0, (byte) transparent, 0});
        }
        out.writeBytes(new byte[] {0x2C, 2, 0, 2, 0, (byte) frame, 0, (byte) frame, 0, 0, 2});
        java.io.ByteArrayOutputStream lzw = new java.io.ByteArrayOutputStream();
        long bits = 0;
        int count = 0;
        for (int i = 0; i <= frame * frame; i++) {
            int[] codes = i < frame * frame ? new int[] {4, (i % frame + i / frame) % 3} : new int[] {5};
            for (int code : codes) {
                bits |= (long) code << count;
                count += 3;
                while (count >= 8) {
                    lzw.write((int) (bits & 0xFF));
                    bits >>>= 8;
                    count -= 8;
                }
            }
        }
        if (count > 0) {
            lzw.write((int) bits);
        }
        byte[] data = lzw.toByteArray();
        for (int from = 0; from < data.length; from += 255) {
            int n = Math.min(255, data.length - from);
            out.write(n);
            out.write(data, from, n);
        }
        out.writeBytes(new byte[] {0, 0x3B});
        return out.toByteArray();
    }

    @Test
    void aGifFrameSmallerThanItsScreenIsPlacedOnItAsPillowDoes() throws IOException {
        // Each case as Pillow 13.0.0 opens the same bytes: the screen (grown to hold the frame when it
        // reaches past it) filled with palette index 0, or the transparent index, the frame at (2, 2).
        record Case(int screen, int frame, int transparent, int size, int fill) {}
        for (Case c : new Case[] {new Case(8, 4, -1, 8, 0), new Case(8, 4, 2, 8, 2), new Case(4, 4, -1, 6, 0)}) {
            Path file = dir.resolve("frame-" + c.screen() + "-" + c.transparent() + ".gif");
            Files.write(file, gif(c.screen(), c.frame(), c.transparent()));
            Image image = ImageFileDecoder.decode(file);
            assertThat(new int[] {image.channels(), image.height(), image.width()}).as(file.toString())
                    .containsExactly(3, c.size(), c.size());
            int plane = c.size() * c.size();
            for (int y = 0; y < c.size(); y++) {
                for (int x = 0; x < c.size(); x++) {
                    boolean inFrame = x >= 2 && x < 2 + c.frame() && y >= 2 && y < 2 + c.frame();
                    int[] expected = GIF_PALETTE[inFrame ? (x - 2 + y - 2) % 3 : c.fill()];
                    for (int ch = 0; ch < 3; ch++) {
                        assertThat(Math.round(image.pixels()[ch * plane + y * c.size() + x] * 255))
                                .as("%s channel %d at (%d, %d)", file.getFileName(), ch, x, y).isEqualTo(expected[ch]);
                    }
                }
            }
        }
    }

    @Test
    void aFileClaimingMorePixelsThanTheLimitIsDamagedBeforeItIsDecoded() throws IOException {
        writeGray(dir.resolve("bomb.png"), 8, 100, "png");
        byte[] png = Files.readAllBytes(dir.resolve("bomb.png"));
        // The IHDR chunk's width and height (after the 8-byte signature, length and type) say 20000 x 20000.
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.wrap(png);
        ihdr.putInt(16, 20_000).putInt(20, 20_000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        ihdr.putInt(29, (int) crc.getValue());
        Files.write(dir.resolve("bomb.png"), png);
        assertThat(20_000L * 20_000).isGreaterThan(ImageFileDecoder.MAX_PIXELS);
        assertThatThrownBy(() -> ImageFileDecoder.decode(dir.resolve("bomb.png"))).isInstanceOf(DamagedImageException.class)
                .hasMessage(dir.resolve("bomb.png") + " claims 20000 x 20000 pixels, more than the 89478485 dinoj decodes:"
                        + " downscale it, or it is a decompression bomb");
    }

    @Test
    void aLabelledFolderWithoutSplitsCannotBeItsOwnBankAndQueries() throws IOException {
        writeGray(dir.resolve("flat/cat/1.png"), 4, 1, "png");
        writeGray(dir.resolve("flat/dog/2.png"), 4, 2, "png");
        String flat = "folder:" + dir.resolve("flat");
        assertThatThrownBy(() -> Datasets.requireDistinctSplits(Datasets.open(flat, Split.TRAIN), Datasets.open(flat, Split.TEST),
                "give one with both"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(flat + " has no train/ and test/ (or val/) sub-folders, so its bank and its queries would be the"
                        + " same images and every query would find itself: give one with both");
        writeGray(dir.resolve("split/train/cat/1.png"), 4, 1, "png");
        writeGray(dir.resolve("split/val/cat/2.png"), 4, 2, "png");
        String split = "folder:" + dir.resolve("split");
        Datasets.requireDistinctSplits(Datasets.open(split, Split.TRAIN), Datasets.open(split, Split.TEST), "unused");
        // Two folders given as bank and queries are two sets, too.
        Datasets.requireDistinctSplits(Datasets.open(flat, Split.TRAIN), Datasets.open(split, Split.TEST), "unused");
    }

    @Test
    void emptyFolderAndWrongPathAreClearErrors() throws IOException {
        Files.createDirectories(dir.resolve("empty/sub"));
        assertThatThrownBy(() -> Datasets.open("folder:" + dir.resolve("empty"), Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("holds no JPEG, PNG, BMP, GIF or TIFF files");
        assertThatThrownBy(() -> Datasets.open("folder:" + dir.resolve("missing"), Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("does not exist");
        // What no file system can mend is final (IllegalArgumentException), not retried as a missing mount is.
        assertThatThrownBy(() -> Datasets.open("tfrecord:/x", Split.TRAIN))
                .isInstanceOf(DatasetSpecException.class).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown dataset 'tfrecord:/x'");
        writeRgb(dir.resolve("a/one.png"), 8, 1, 2, 3, "png");
        assertThatThrownBy(() -> Datasets.open("folder:" + dir.resolve("a/one.png"), Split.TRAIN))
                .isInstanceOf(DatasetSpecException.class)
                .hasMessage("'folder:" + dir.resolve("a/one.png") + "' names the file " + dir.resolve("a/one.png")
                        + ": give the folder that holds the images");
        for (String bad : new String[] {"synthetic:abc", "synthetic:0", "synthetic:99999999999999", "folder:", "idx:  "}) {
            assertThatThrownBy(() -> Datasets.checkSpec(bad)).as(bad).isInstanceOf(DatasetSpecException.class);
            assertThatThrownBy(() -> Datasets.open(bad, Split.TRAIN)).as(bad).isInstanceOf(DatasetSpecException.class);
        }
        Datasets.checkSpec("folder:/not/mounted/here");
        Datasets.checkSpec("synthetic:100:8x8x3:4");
        Datasets.checkSpec("fashion-mnist");
    }
}
