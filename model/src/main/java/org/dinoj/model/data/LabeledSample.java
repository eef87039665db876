package org.dinoj.model.data;

/**
 * A transformed sample with the dataset index and label of the image it came from (label -1 when
 * the dataset is unlabelled), for evaluation, which needs to know what each embedding shows.
 */
public record LabeledSample<T>(int index, int label, T sample) {}
