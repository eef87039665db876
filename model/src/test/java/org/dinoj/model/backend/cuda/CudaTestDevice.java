package org.dinoj.model.backend.cuda;

import org.junit.jupiter.api.Assumptions;

/** Skips a gpu-tagged test, saying why, where no CUDA device can be used. */
public final class CudaTestDevice {
    private static String reason;
    private static boolean probed;

    private CudaTestDevice() {
    }

    /**
     * Aborts the calling test or class (reported as skipped, the reason printed) when there is no
     * usable CUDA device. Call it from {@code @BeforeAll}, so no per-test set-up runs.
     */
    public static synchronized void assumeAvailable() {
        if (!probed) {
            reason = CudaDevice.unavailableReason();
            probed = true;
            if (reason != null) {
                System.out.println("skipping CUDA tests: " + reason);
            }
        }
        Assumptions.assumeTrue(reason == null, () -> "no usable CUDA device: " + reason);
    }
}
