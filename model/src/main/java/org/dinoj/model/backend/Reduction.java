package org.dinoj.model.backend;

/** Reductions over one or more dimensions. */
public enum Reduction {
    SUM,
    /** Sum of squares (the squared L2 norm). */
    SUM_OF_SQUARES,
    MEAN,
    MAX
}
