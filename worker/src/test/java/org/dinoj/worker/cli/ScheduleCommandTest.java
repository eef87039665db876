package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What 'schedule create' notes about a template's dataset before its first firing. */
class ScheduleCommandTest {
    @Test
    void anImageFolderThisMachineLacksIsNamedOthersAreNot(@TempDir Path dir) {
        Path missing = dir.resolve("typo");
        assertThat(ScheduleCommand.missingFolder("data: {dataset: 'folder:" + missing + "'}\n")).contains(missing);
        assertThat(ScheduleCommand.missingFolder("data: {dataset: 'folder:" + dir + "'}\n")).isEmpty();
        assertThat(ScheduleCommand.missingFolder("data: {dataset: fashion-mnist}\n")).isEmpty();
        assertThat(ScheduleCommand.missingFolder("optim: {epochs: 3}\n")).isEmpty();
    }
}
