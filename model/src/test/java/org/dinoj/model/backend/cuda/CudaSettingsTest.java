package org.dinoj.model.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.nativelib.cuda.CudaLibraries;
import org.dinoj.nativelib.cuda.CudaLibrary;
import org.dinoj.nativelib.cuda.CudaLibraryNotFoundException;
import org.junit.jupiter.api.Test;

/** The CUDA backend's settings and its choice of cuDNN softmax, without a device (shapes only). */
class CudaSettingsTest {

    private static Tensor tensor(DType dtype, long[] shape, long[] strides) {
        return new Tensor(MemorySegment.NULL, dtype, Device.CUDA, shape, strides);
    }

    @Test
    void attentionSettingDefaultsToComposed() {
        assertThat(CudaBackend.fusedAttentionSetting(null)).isFalse();
        assertThat(CudaBackend.fusedAttentionSetting("")).isFalse();
        assertThat(CudaBackend.fusedAttentionSetting("fused")).isTrue();
        assertThat(CudaBackend.fusedAttentionSetting("composed")).isFalse();
        assertThatThrownBy(() -> CudaBackend.fusedAttentionSetting("flash"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DINOJ_CUDA_ATTENTION=flash");
    }

    @Test
    void softmaxSettingDefaultsToCudnnWhereFound() {
        assertThat(CudnnSoftmax.requested(null)).isEqualTo(CudnnSoftmax.available());
        assertThat(CudnnSoftmax.requested("")).isEqualTo(CudnnSoftmax.available());
        assertThat(CudnnSoftmax.requested("dinoj")).isFalse();
        if (CudnnSoftmax.available()) {
            assertThat(CudnnSoftmax.requested("cudnn")).isTrue();
        } else {
            assertThatThrownBy(() -> CudnnSoftmax.requested("cudnn"))
                    .isInstanceOf(CudaLibraryNotFoundException.class).hasMessageContaining("cuDNN");
        }
        assertThatThrownBy(() -> CudnnSoftmax.requested("cuDNN"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DINOJ_CUDA_SOFTMAX=cuDNN");
    }

    @Test
    void aMissingCudnnIsOneErrorNamingIt() {
        // Either cuDNN is found (DINOJ_CUDA_LIB_DIR or a Python env) or the error says what is missing.
        try {
            CudnnSoftmax.requireLibrary();
            assertThat(CudaLibraries.path(CudaLibrary.CUDNN)).isPresent();
        } catch (CudaLibraryNotFoundException e) {
            assertThat(e.getMessage()).contains("cuDNN 9").contains("libcudnn.so.9").contains("DINOJ_CUDA_SOFTMAX");
        }
    }

    @Test
    void cudnnSoftmaxTakesRowsWithOneStride() {
        // [B, H, N, N] contiguous: rows collapse to stride N.
        assertThat(CudnnSoftmax.handles(tensor(DType.F32, new long[] {2, 3, 5, 5}, new long[] {75, 25, 5, 1}))).isTrue();
        // rows of a wider buffer: [4, 7] slice of [4, 9].
        assertThat(CudnnSoftmax.handles(tensor(DType.F32, new long[] {4, 7}, new long[] {9, 1}))).isTrue();
        // size-1 leading dims do not constrain the row stride.
        assertThat(CudnnSoftmax.handles(tensor(DType.F32, new long[] {1, 4, 7}, new long[] {999, 7, 1}))).isTrue();
    }

    @Test
    void cudnnSoftmaxLeavesOtherTensorsToDinojKernels() {
        // [2, 5, 5] whose batch stride (30) is not 5 rows of 5: leading dims do not collapse.
        assertThat(CudnnSoftmax.handles(tensor(DType.F32, new long[] {2, 5, 5}, new long[] {30, 5, 1}))).isFalse();
        assertThat(CudnnSoftmax.handles(tensor(DType.BF16, new long[] {2, 5}, new long[] {5, 1}))).isFalse();
        // a transposed view [N, N] of strides (1, N): rows along memory columns.
        assertThat(CudnnSoftmax.handles(tensor(DType.F32, new long[] {5, 5}, new long[] {1, 5}))).isFalse();
        assertThat(CudnnSoftmax.handles(tensor(DType.F32, new long[] {2, 5}, new long[] {5, 1}),
                tensor(DType.BF16, new long[] {2, 5}, new long[] {5, 1}))).isFalse();
    }
}
