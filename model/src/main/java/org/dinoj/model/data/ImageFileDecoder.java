package org.dinoj.model.data;

import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG, BMP, GIF and TIFF files with javax.imageio into {@link Image}s in [0, 1]. Strict:
 * a reader warning (e.g. a JPEG that ends early, which ImageIO would otherwise fill with grey) is
 * treated as a damaged file, except the few about metadata the pixels do not depend on. Grayscale files give one channel, everything else three (RGB; alpha
 * is dropped). The stored samples are the pixels, as Pillow reads them: an embedded colour profile
 * is not applied. Thread-safe: every call uses its own reader.
 */
public final class ImageFileDecoder {
    /**
     * Pillow's {@code MAX_IMAGE_PIXELS} (a 24-bit image of 0.25 GiB): a few bytes of PNG can claim far
     * more, and three float planes of it would exhaust the heap (or overflow an int index) mid-job.
     */
    public static final long MAX_PIXELS = 89_478_485L;

    /** ImageIO format names (lower case) of the readers dinoj uses. */
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "bmp", "gif", "tif", "tiff");

    /**
     * Reader warnings whose file still decodes whole, as Pillow reads it: an embedded colour profile
     * that does not parse (the JPEG reader ignores it), markers in a JFIF thumbnail, bytes between a
     * JPEG's last segment and its end marker. Cameras and editors write such files.
     */
    private static final List<String> HARMLESS_WARNINGS = List.of("Embedded color profile is invalid",
            "JFIF markers not allowed in JFIF JPEG thumbnail", "extraneous bytes before marker");

    private ImageFileDecoder() {}

    /**
     * Reads and decodes one file.
     *
     * @throws DamagedImageException when the file is not a supported image or is damaged
     * @throws IOException when the file cannot be read
     */
    public static Image decode(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(in);
            if (reader == null) {
                throw new DamagedImageException(file + (bytes.length == 0 ? " is empty (0 bytes)"
                        : " is not a JPEG, PNG, BMP, GIF or TIFF image"));
            }
            List<String> warnings = new ArrayList<>(1);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage decoded = null;
            Image cmyk = null;
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                // A GIF's screen holds its first frame: the screen is the image.
                int[] gifScreen = GifCanvas.size(reader);
                int[] claimed = gifScreen == null ? new int[] {width, height} : gifScreen;
                if ((long) claimed[0] * claimed[1] > MAX_PIXELS) {
                    throw new DamagedImageException(file + " claims " + claimed[0] + " x " + claimed[1]
                            + " pixels, more than the " + MAX_PIXELS + " dinoj decodes: downscale it, or it is a"
                            + " decompression bomb");
                }
                int adobeTransform = CmykToRgb.adobeTransform(reader);
                if (adobeTransform >= 0) {
                    cmyk = CmykToRgb.toRgb(reader.readRaster(0, null), adobeTransform);
                } else {
                    decoded = GifCanvas.place(reader, reader.read(0, withoutColourConversion(reader, width, height)),
                            gifScreen);
                }
            } catch (DamagedImageException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // Some ImageIO plugins throw unchecked exceptions on malformed data.
                throw new DamagedImageException(file + " is damaged: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
            warnings.removeIf(w -> HARMLESS_WARNINGS.stream().anyMatch(w::contains));
            if (!warnings.isEmpty()) {
                throw new DamagedImageException(file + " is damaged: " + warnings.getFirst());
            }
            if (cmyk != null) {
                return cmyk;
            }
            String samples = unsupportedSamples(decoded.getColorModel());
            if (samples != null) {
                throw new DamagedImageException(file + " has " + samples + ", which dinoj does not decode: convert it to"
                        + " 8 or 16 bits per sample");
            }
            return toImage(decoded);
        }
    }

    /**
     * The first reader of a format dinoj decodes. ImageIO also offers readers (WBMP) whose signature a
     * few bytes of junk match: such a file must be refused as not an image, not decoded as one.
     */
    private static ImageReader readerFor(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            ImageReaderSpi provider = reader.getOriginatingProvider();
            if (provider != null && Arrays.stream(provider.getFormatNames())
                    .anyMatch(name -> FORMATS.contains(name.toLowerCase(Locale.ROOT)))) {
                return reader;
            }
            reader.dispose();
        }
        return null;
    }

    /**
     * What the samples are when they are not unsigned integers of 1 to 16 bits (32-bit, signed or
     * floating-point TIFFs): their scale to [0, 1] is not defined by their width, so they would come out as
     * infinities or nonsense. Null when they are supported.
     */
    private static String unsupportedSamples(ColorModel model) {
        int type = model.getTransferType();
        if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) {
            return "floating-point samples";
        }
        if (type == DataBuffer.TYPE_SHORT) {
            return "signed 16-bit samples"; // they would be read sign-extended, as [-0.5, 0.5]
        }
        if (model instanceof IndexColorModel) {
            return null; // palette indices, looked up to 8-bit colours
        }
        for (int c = 0; c < model.getNumComponents(); c++) {
            if (model.getComponentSize(c) > 16) {
                return model.getComponentSize(c) + "-bit samples";
            }
        }
        return null;
    }

    /**
     * Decodes into the file's own colour space. ImageIO's default converts a JPEG with an embedded
     * ICC profile to sRGB through it: other pixels than Pillow (and so PyTorch's loaders, and a model
     * exported to them) see.
     */
    private static ImageReadParam withoutColourConversion(ImageReader reader, int width, int height) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (!types.hasNext()) {
            return param;
        }
        ColorModel first = types.next().getColorModel();
        while (first.getColorSpace().isCS_sRGB() && types.hasNext()) {
            ImageTypeSpecifier type = types.next();
            ColorModel model = type.getColorModel();
            // The embedded profile's type: same components, another ICC colour space.
            if (model.getColorSpace() instanceof ICC_ColorSpace && !model.getColorSpace().isCS_sRGB()
                    && model.getNumComponents() == first.getNumComponents()) {
                // A destination image, not a destination type: the reader compares types by identity.
                param.setDestination(type.createBufferedImage(width, height));
                break;
            }
        }
        return param;
    }

    /** Converts to {@code [C, H, W]} floats in [0, 1]: C = 1 for grayscale, 3 (RGB) otherwise. */
    public static Image toImage(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        if (model.getNumColorComponents() == 1 && !(model instanceof IndexColorModel)) {
            // Read the samples directly: getRGB would push grey through an sRGB conversion.
            int bits = model.getComponentSize(0);
            float scale = 1f / ((1 << bits) - 1);
            int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            float[] pixels = new float[plane];
            for (int i = 0; i < plane; i++) {
                pixels[i] = samples[i] * scale;
            }
            return new Image(1, h, w, pixels);
        }
        if (model.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_CMYK && model.getNumColorComponents() == 4
                && raster.getNumBands() >= 4 && java.util.stream.IntStream.range(0, 4).allMatch(c -> model.getComponentSize(c) == 8)) {
            // A CMYK TIFF: getRGB would convert through the JDK's CMYK profile, Pillow by its own formula.
            return CmykToRgb.plainToRgb(raster);
        }
        float[] pixels = new float[3 * plane];
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1
                && buffer.getData().length == 3 * plane) {
            // Fast path for what the JPEG reader usually returns: interleaved B, G, R bytes.
            byte[] bgr = buffer.getData();
            for (int i = 0; i < plane; i++) {
                pixels[i] = (bgr[3 * i + 2] & 0xFF) / 255f;
                pixels[plane + i] = (bgr[3 * i + 1] & 0xFF) / 255f;
                pixels[2 * plane + i] = (bgr[3 * i] & 0xFF) / 255f;
            }
            return new Image(3, h, w, pixels);
        }
        if (model instanceof ComponentColorModel && model.getNumColorComponents() == 3 && !model.isAlphaPremultiplied()) {
            // The samples themselves, whatever colour space they are tagged with (getRGB would convert to sRGB).
            for (int c = 0; c < 3; c++) {
                float scale = 1f / ((1L << model.getComponentSize(c)) - 1);
                int[] samples = raster.getSamples(0, 0, w, h, c, (int[]) null);
                for (int i = 0; i < plane; i++) {
                    pixels[c * plane + i] = samples[i] * scale;
                }
            }
            return new Image(3, h, w, pixels);
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            pixels[i] = ((p >> 16) & 0xFF) / 255f;
            pixels[plane + i] = ((p >> 8) & 0xFF) / 255f;
            pixels[2 * plane + i] = (p & 0xFF) / 255f;
        }
        return new Image(3, h, w, pixels);
    }
}
