package org.dinoj.nativelib.cuda;

import java.util.List;

/**
 * The CUDA shared libraries dinoj loads, with the file names (sonames) to look for. Toolkit
 * libraries come per CUDA major version; the driver and cuDNN have one soname each.
 */
public enum CudaLibrary {
    /** The CUDA runtime: memory, streams, events, device queries. */
    CUDART("libcudart.so.%d", true),
    /** cuBLASLt: the matmul library with epilogues. */
    CUBLASLT("libcublasLt.so.%d", true),
    /** NVRTC: compiles CUDA C to PTX or CUBIN at run time (works without a GPU). */
    NVRTC("libnvrtc.so.%d", true),
    /** The driver API (loads NVRTC output, launches kernels); installed with the NVIDIA driver. */
    DRIVER("libcuda.so.1", false),
    /** cuDNN 9 (optional: the CUDA backend's softmax uses it where found, its own kernels elsewhere). */
    CUDNN("libcudnn.so.9", false);

    /** CUDA major versions dinoj was written against, most preferred first. */
    public static final List<Integer> SUPPORTED_MAJORS = List.of(13, 12);

    private final String pattern;
    private final boolean perToolkitMajor;

    CudaLibrary(String pattern, boolean perToolkitMajor) {
        this.pattern = pattern;
        this.perToolkitMajor = perToolkitMajor;
    }

    /** True for libraries whose soname carries the CUDA toolkit major version. */
    public boolean perToolkitMajor() {
        return perToolkitMajor;
    }

    /** The soname for toolkit major {@code major} (ignored for the driver and cuDNN). */
    public String soname(int major) {
        return perToolkitMajor ? String.format(pattern, major) : pattern;
    }
}
