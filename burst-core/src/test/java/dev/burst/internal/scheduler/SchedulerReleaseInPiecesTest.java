package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that leaves (or releases) more keys than one event should take: the scheduler releases
 * a piece and hands the rest back to itself, so other events are handled in between.
 */
class SchedulerReleaseInPiecesTest {
    @Test
    void aDepartingClientsKeysAreReleasedInPiecesUntilNoneIsLeft() {
        SchedulerDriver d = new SchedulerDriver();
        int n = 2 * SchedulerState.RELEASE_CHUNK + 10;
        List<TaskSpec> specs = new ArrayList<>(n);
        List<TaskKey> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TaskKey k = key("t", i);
            keys.add(k);
            specs.add(task(k));
        }
        d.submit("c", specs, keys.toArray(TaskKey[]::new)); // no worker: they wait in the queue
        assertThat(d.state.taskCount()).isEqualTo(n);

        List<SchedulerCommand> out = d.clientLeft("c");
        int pieces = 1;
        List<SchedulerCommand.HandleLater> later;
        while (!(later = only(out, SchedulerCommand.HandleLater.class)).isEmpty()) {
            assertThat(later).hasSize(1);
            assertThat(d.state.taskCount()).as("released so far, after %d pieces", pieces)
                    .isEqualTo(n - pieces * SchedulerState.RELEASE_CHUNK);
            out = d.handle(later.get(0).event());
            pieces++;
        }
        assertThat(pieces).isEqualTo(3);
        assertThat(d.state.taskCount()).isZero();
    }
}
