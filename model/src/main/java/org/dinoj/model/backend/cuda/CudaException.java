package org.dinoj.model.backend.cuda;

/** A CUDA, cuBLASLt or NVRTC call failed; the message names the call and the library's error text. */
public final class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The library's status code (cudaError_t, CUresult, cublasStatus_t or nvrtcResult). */
    public int code() {
        return code;
    }
}
