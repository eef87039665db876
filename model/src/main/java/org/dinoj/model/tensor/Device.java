package org.dinoj.model.tensor;

/** Where a tensor's memory lives. Host memory is readable from Java; device memory is not. */
public enum Device {
    CPU,
    CUDA
}
