package org.dinoj.model.backend;

/** Element-wise activations with a backward pass. */
public enum Activation {
    /** GELU with the exact erf form: {@code x * 0.5 * (1 + erf(x / sqrt 2))}. */
    GELU_ERF,
    /** SiLU / swish: {@code x * sigmoid(x)}. */
    SILU,
    RELU
}
