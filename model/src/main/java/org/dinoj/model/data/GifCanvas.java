package org.dinoj.model.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The first frame of a GIF on its logical screen, as Pillow opens it. ImageIO returns the frame
 * alone; a GIF whose first frame is smaller than its screen (or placed off its corner) is, for Pillow
 * and so for PyTorch's loaders, the screen filled with palette index 0 (the transparent index when
 * the frame has one) with the frame at its offset. A frame reaching past the screen grows it.
 */
final class GifCanvas {
    private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
    private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

    private GifCanvas() {
    }

    /** Width and height of the screen the first frame of {@code reader}'s GIF is shown on; null for other formats. */
    static int[] size(ImageReader reader) throws IOException {
        if (!"gif".equalsIgnoreCase(reader.getFormatName())) {
            return null;
        }
        Element screen = node(reader.getStreamMetadata(), STREAM_FORMAT, "LogicalScreenDescriptor");
        Element frame = node(reader.getImageMetadata(0), IMAGE_FORMAT, "ImageDescriptor");
        if (screen == null || frame == null) {
            return null;
        }
        return new int[] {
            Math.max(intAttribute(screen, "logicalScreenWidth"),
                    intAttribute(frame, "imageLeftPosition") + intAttribute(frame, "imageWidth")),
            Math.max(intAttribute(screen, "logicalScreenHeight"),
                    intAttribute(frame, "imageTopPosition") + intAttribute(frame, "imageHeight"))};
    }

    /** {@code frame} (the decoded first frame) on a screen of {@code size}, or {@code frame} itself when it covers it. */
    static BufferedImage place(ImageReader reader, BufferedImage frame, int[] size) throws IOException {
        if (size == null || (frame.getWidth() == size[0] && frame.getHeight() == size[1])
                || !(frame.getColorModel() instanceof IndexColorModel palette)) {
            return frame;
        }
        Element descriptor = node(reader.getImageMetadata(0), IMAGE_FORMAT, "ImageDescriptor");
        Element control = node(reader.getImageMetadata(0), IMAGE_FORMAT, "GraphicControlExtension");
        int fill = control != null && "TRUE".equalsIgnoreCase(control.getAttribute("transparentColorFlag"))
                ? intAttribute(control, "transparentColorIndex") : 0;
        BufferedImage canvas = new BufferedImage(size[0], size[1], BufferedImage.TYPE_BYTE_INDEXED, palette);
        WritableRaster raster = canvas.getRaster();
        int[] row = new int[size[0]];
        Arrays.fill(row, fill);
        for (int y = 0; y < size[1]; y++) {
            raster.setSamples(0, y, size[0], 1, 0, row);
        }
        raster.setRect(intAttribute(descriptor, "imageLeftPosition"), intAttribute(descriptor, "imageTopPosition"),
                frame.getRaster());
        return canvas;
    }

    private static Element node(IIOMetadata metadata, String format, String name) {
        if (metadata == null || !Arrays.asList(metadata.getMetadataFormatNames()).contains(format)) {
            return null;
        }
        NodeList nodes = ((Element) metadata.getAsTree(format)).getElementsByTagName(name);
        return nodes.getLength() == 0 ? null : (Element) nodes.item(0);
    }

    private static int intAttribute(Element element, String name) {
        return Integer.parseInt(element.getAttribute(name));
    }
}
