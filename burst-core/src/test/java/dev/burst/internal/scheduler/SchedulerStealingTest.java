package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.ComputeTask;
import dev.burst.internal.scheduler.SchedulerCommand.StealRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Work stealing in the pure core: a task queued on a worker behind a long one is asked for when
 * another worker has a free thread, and moves only when its worker confirms it had not started it.
 */
class SchedulerStealingTest {
    /** Long enough to be worth moving (Dask's threshold is 5 ms). */
    private static final long SHORT_NANOS = 50_000_000L;

    private final TaskKey slow = key("slow", 1);
    private final TaskKey s1 = key("short", 2);
    private final TaskKey s2 = key("short", 3);
    private final TaskKey s3 = key("short", 4);

    /** Two one-thread workers; the slow task and the short ones after it; the slow task's worker also holds short ones. */
    private record Setup(SchedulerDriver d, String slowOn, String other, List<TaskKey> behindSlow, List<TaskKey> onOther) {
    }

    private Setup setUp(SchedulerDriver d) {
        d.join("a", 1);
        d.join("b", 1);
        return submitted(d);
    }

    /** The slow and short tasks submitted to {@code d}'s two workers. */
    private Setup submitted(SchedulerDriver d) {
        var out = d.submit("c", List.of(task(slow), task(s1), task(s2), task(s3)), slow, s1, s2, s3);
        String slowOn = computeOf(out, slow).worker().name();
        String other = slowOn.equals("a") ? "b" : "a";
        List<TaskKey> behind = keysOn(out, slowOn).stream().filter(k -> !k.equals(slow)).toList();
        assertThat(behind).as("saturation: the slow task's worker holds a short one too").isNotEmpty();
        return new Setup(d, slowOn, other, behind, keysOn(out, other));
    }

    @Test
    void aTaskWaitingBehindALongOneMovesOnceItsWorkerGivesItUp() {
        Setup s = setUp(new SchedulerDriver());
        SchedulerDriver d = s.d();
        List<SchedulerCommand> after = null;
        for (TaskKey k : s.onOther()) {
            after = d.finish(s.other(), k, 100, SHORT_NANOS);
        }
        TaskKey wanted = s.behindSlow().get(s.behindSlow().size() - 1);
        StealRequest request = only(after, StealRequest.class).getFirst();
        assertThat(request.worker()).isEqualTo(worker(s.slowOn()));
        assertThat(request.key()).isEqualTo(wanted);
        assertThat(only(after, ComputeTask.class)).as("nothing moves before the victim answers").isEmpty();
        assertThat(d.state.processingOn(wanted)).isEqualTo(worker(s.slowOn()));

        long oldRun = d.runOf(s.slowOn(), wanted);
        var moved = d.handle(new SchedulerEvent.StealAnswered(d.stimulus("answer"), worker(s.slowOn()), wanted, oldRun, true));
        assertThat(computeOf(moved, wanted).worker()).isEqualTo(worker(s.other()));
        assertThat(d.state.processingOn(wanted)).isEqualTo(worker(s.other()));
        assertThat(d.state.story(wanted).stream().map(t -> String.valueOf(t.to())).toList()).contains("WAITING");

        // A report of the run the victim gave up changes nothing; the thief's run counts.
        assertThat(d.finishRun(s.slowOn(), wanted, oldRun, 100, SHORT_NANOS)).isEmpty();
        assertThat(d.state.stateOf(wanted)).isEqualTo(SchedulerTaskState.PROCESSING);
        d.finish(s.other(), wanted, 100, SHORT_NANOS);
        assertThat(d.state.stateOf(wanted)).isEqualTo(SchedulerTaskState.MEMORY);
    }

    @Test
    void aRefusedRequestLeavesTheTaskAndIsNotRepeatedForTheSameRun() {
        Setup s = setUp(new SchedulerDriver());
        SchedulerDriver d = s.d();
        List<SchedulerCommand> after = null;
        for (TaskKey k : s.onOther()) {
            after = d.finish(s.other(), k, 100, SHORT_NANOS);
        }
        StealRequest request = only(after, StealRequest.class).getFirst();
        var answered = d.handle(new SchedulerEvent.StealAnswered(d.stimulus("answer"), request.worker(), request.key(), request.runId(), false));
        assertThat(only(answered, ComputeTask.class)).isEmpty();
        assertThat(only(answered, StealRequest.class)).extracting(StealRequest::key).doesNotContain(request.key());
        assertThat(d.state.processingOn(request.key())).isEqualTo(request.worker());
    }

    @Test
    void aGrantedStealForARunTakenBackMeanwhileMovesNothing() {
        Setup s = setUp(new SchedulerDriver());
        SchedulerDriver d = s.d();
        List<SchedulerCommand> after = null;
        for (TaskKey k : s.onOther()) {
            after = d.finish(s.other(), k, 100, SHORT_NANOS);
        }
        StealRequest request = only(after, StealRequest.class).getFirst();
        d.release("c", request.key()); // the client lost interest: freed on the victim
        var answered = d.handle(new SchedulerEvent.StealAnswered(d.stimulus("answer"), request.worker(), request.key(), request.runId(), true));
        assertThat(only(answered, ComputeTask.class)).isEmpty();
        assertThat(d.state.stateOf(request.key())).isIn(SchedulerTaskState.RELEASED, SchedulerTaskState.FORGOTTEN);
    }

    @Test
    void aTaskWhoseInputsMustMoveMovesOnlyIfItWouldWaitLongEnoughAndStealingCanBeSwitchedOff() {
        // Two dependents of one result on a; b joins without it. The wait behind the first is its
        // expected 0.5 s (a prefix not seen yet): under 10 s, so not worth fetching the input for.
        for (SchedulerConfig config : List.of(SchedulerConfig.defaults().withStealMinWaitNanos(10_000_000_000L),
                SchedulerConfig.defaults().withStealMinWaitNanos(Long.MAX_VALUE))) {
            SchedulerDriver d = new SchedulerDriver(config);
            d.join("a", 1);
            d.submit("c", List.of(task(slow), task(s1, slow), task(s2, slow)), s1, s2);
            d.finish("a", slow, 100, SHORT_NANOS);
            var joined = d.join("b", 1);
            assertThat(only(joined, StealRequest.class)).as(config.stealing() ? "not worth it" : "stealing off").isEmpty();
        }
    }

    @Test
    void aTaskWithNothingToMoveIsAskedForWhateverTheLearnedDurationsSay() {
        // The prefix learned from a 1 µs run, as all of a method's lambdas share one: the core rates
        // the running "slow" task as quick, and cannot see it run for seconds. A short task behind
        // it is asked for anyway: the move costs a request, and the victim refuses a started task.
        SchedulerDriver d = new SchedulerDriver();
        d.join("a", 1);
        d.join("b", 1);
        TaskKey quick = key("slow", 9);
        var first = d.submit("c", List.of(task(quick)), quick);
        d.finish(computeOf(first, quick).worker().name(), quick, 8, 1_000L);
        Setup s = submitted(d);
        List<SchedulerCommand> after = List.of();
        for (TaskKey k : s.onOther()) {
            after = d.finish(s.other(), k, 100, 1_000L);
        }
        StealRequest request = only(after, StealRequest.class).getFirst();
        assertThat(request.worker()).isEqualTo(worker(s.slowOn()));
        assertThat(s.behindSlow()).contains(request.key());
        // Switched off, it is not.
        SchedulerDriver off = new SchedulerDriver(SchedulerConfig.defaults().withStealMinWaitNanos(Long.MAX_VALUE));
        Setup o = setUp(off);
        for (TaskKey k : o.onOther()) {
            after = off.finish(o.other(), k, 100, 1_000L);
        }
        assertThat(only(after, StealRequest.class)).isEmpty();
    }

    @Test
    void aWorkerThatJoinsStealsFromABackloggedOne() {
        SchedulerDriver d = new SchedulerDriver();
        d.join("a", 1);
        var out = d.submit("c", List.of(task(slow), task(s1, slow), task(s2, slow)), s1, s2);
        d.finish("a", slow, 100, SHORT_NANOS);
        // Both dependents go where their input is: a holds two tasks on one thread.
        assertThat(d.state.processingCount(worker("a"))).isEqualTo(2);
        var joined = d.join("b", 1);
        StealRequest request = only(joined, StealRequest.class).getFirst();
        assertThat(request.worker()).isEqualTo(worker("a"));
    }

    private static List<TaskKey> keysOn(List<SchedulerCommand> out, String worker) {
        return only(out, ComputeTask.class).stream().filter(c -> c.worker().name().equals(worker)).map(ComputeTask::key).toList();
    }
}
