package org.dinoj.model.ssl;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** How teacher logits become targets: dinov2's {@code train.centering} values. */
public enum CenteringMode {
    /** {@code softmax((t - center) / T)} with an EMA center (momentum 0.9), lagged one step. */
    CENTERING("centering"),
    /** Sinkhorn-Knopp with 3 iterations; no center. */
    SINKHORN_KNOPP("sinkhorn_knopp");

    private final String key;

    CenteringMode(String key) {
        this.key = key;
    }

    /** The value as written in a dinov2 yaml. */
    @JsonValue
    public String key() {
        return key;
    }

    /** Parses a dinov2 yaml value ({@code centering} or {@code sinkhorn_knopp}). */
    @JsonCreator
    public static CenteringMode fromKey(String key) {
        for (CenteringMode mode : values()) {
            if (mode.key.equals(key)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("train.centering is '" + key + "'; use one of "
                + Arrays.stream(values()).map(CenteringMode::key).toList());
    }
}
