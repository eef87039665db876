package org.dinoj.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Workers one version apart read each other's carried state and sizing results through Temporal's converter. */
class JobStateJsonTest {
    private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

    @Test
    void aStateWithoutADeadlineIsWrittenWithoutTheFieldAndUnknownFieldsAreRead() {
        JobState state = new JobState(40, null, 0, List.of(), 4, 2, null, null, false, 0.5, 0, "sized", null);
        String json = new String(CONVERTER.toPayload(state).orElseThrow().getData().toByteArray(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("deadline").contains("\"schedule\":\"sized\"");

        // A newer worker's state with a field this one does not know.
        String newer = json.substring(0, json.length() - 1) + ",\"somethingNew\":7}";
        assertThat(CONVERTER.fromPayload(json(newer), JobState.class, JobState.class)).isEqualTo(state);
    }

    /** A JSON payload as the converter writes one. */
    private static Payload json(String text) {
        return CONVERTER.toPayload("any").orElseThrow().toBuilder().setData(ByteString.copyFromUtf8(text)).build();
    }

    @Test
    void aSizingRecordedBeforeItsMinimumAndEvaluationTimeReadsAsZeros() {
        SizedSchedule old = CONVERTER.fromPayload(json("{\"epochs\":3,\"description\":\"old\"}"), SizedSchedule.class,
                SizedSchedule.class);
        assertThat(old).isEqualTo(new SizedSchedule(3, "old", 0, 0));
        BudgetDeadline deadline = new BudgetDeadline(5, 1, 2.0, List.of(0.5), "sized");
        assertThat(CONVERTER.fromPayload(CONVERTER.toPayload(deadline).orElseThrow(), BudgetDeadline.class, BudgetDeadline.class))
                .isEqualTo(deadline);
    }
}
