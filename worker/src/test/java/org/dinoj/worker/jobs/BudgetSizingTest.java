package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BudgetSizingTest {
    @Test
    void aMeasurementOnABusyMachineSaysSoInTheSchedule() {
        assertThat(BudgetSizing.busyNote(3.2, 2)).isEqualTo("; the machine was busy while it was measured (load 3.2 on"
                + " 2 cores), so this schedule may be shorter than the machine trains when quiet");
        assertThat(BudgetSizing.busyNote(18.0, 16)).contains("load 18.0 on 16 cores");
    }

    @Test
    void aQuietMachineOrAnUnknownLoadAddsNothing() {
        // The measurement's own two threads make a load of about two.
        assertThat(BudgetSizing.busyNote(2.0, 2)).isEmpty();
        assertThat(BudgetSizing.busyNote(2.5, 2)).isEmpty();
        assertThat(BudgetSizing.busyNote(0.3, 16)).isEmpty();
        assertThat(BudgetSizing.busyNote(-1, 2)).isEmpty();
    }
}
