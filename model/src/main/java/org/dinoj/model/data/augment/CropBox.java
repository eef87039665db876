package org.dinoj.model.data.augment;

/** A rectangle of a source image in pixels: rows {@code [top, top + height)}, columns {@code [left, left + width)}. */
public record CropBox(int top, int left, int height, int width) {
    public CropBox {
        if (top < 0 || left < 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("crop box top=" + top + " left=" + left + " " + height + "x" + width
                    + " must start inside the image and have a positive size");
        }
    }
}
