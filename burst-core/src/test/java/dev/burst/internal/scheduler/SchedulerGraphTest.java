package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.Transition;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.ReportDone;
import dev.burst.internal.scheduler.SchedulerCommand.ReportErred;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.freed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerTaskState.ERRED;
import static dev.burst.internal.scheduler.SchedulerTaskState.FORGOTTEN;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.PROCESSING;
import static dev.burst.internal.scheduler.SchedulerTaskState.RELEASED;
import static dev.burst.internal.scheduler.SchedulerTaskState.WAITING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Graphs in, keys released, tasks forgotten, and the story the scheduler can tell about each. */
class SchedulerGraphTest {
    private static final String INVALID = "dev.burst.InvalidGraphException";

    private final SchedulerDriver d = new SchedulerDriver();

    // ---------------------------------------------------------------- invalid graphs

    @Test
    void aCyclicGraphIsRefusedNamingTheCycleAndChangesNothing() {
        TaskKey e = key("existing", 1);
        d.join("a", 1);
        d.submit("c", List.of(task(e)), e);
        TaskKey a = key("a", 2);
        TaskKey b = key("b", 3);
        TaskKey c = key("c", 4);
        TaskKey top = key("top", 5);
        int before = d.state.taskCount();

        var out = d.submit("c", List.of(task(top, a, e), task(a, c), task(b, a), task(c, b)), top, a);
        assertThat(out).allMatch(x -> x instanceof ReportErred || x instanceof LogWarning);
        assertThat(only(out, LogWarning.class)).hasSize(1);
        assertThat(only(out, ReportErred.class)).extracting(ReportErred::key).containsExactly(top, a);
        assertThat(only(out, ReportErred.class)).allSatisfy(r -> {
            assertThat(r.error().type()).isEqualTo(INVALID);
            assertThat(r.error().message()).matches("dependency cycle: (\\S+) -> (\\S+) -> (\\S+) -> \\1")
                    .contains(a.toString()).contains(b.toString()).contains(c.toString());
        });
        assertThat(d.state.taskCount()).isEqualTo(before);
        assertThat(d.state.stateOf(top)).isEqualTo(FORGOTTEN);
        assertThat(d.state.stateOf(e)).isEqualTo(PROCESSING);
    }

    @Test
    void aGraphWithAMissingDependencyIsRefusedNamingIt() {
        TaskKey ghost = key("ghost", 9);
        TaskKey a = key("a", 1);
        TaskKey b = key("b", 2);
        var out = d.submit("c", List.of(task(a), task(b, a, ghost)), b);
        assertThat(only(out, ReportErred.class)).singleElement().satisfies(r -> {
            assertThat(r.error().type()).isEqualTo(INVALID);
            assertThat(r.error().message()).contains(b.toString()).contains(ghost.toString());
        });
        assertThat(d.state.taskCount()).isZero();
    }

    @Test
    void aGraphNamingAKeyTwiceIsRefused() {
        TaskKey a = key("a", 1);
        var out = d.submit("c", List.of(task(a), task(a)), a);
        assertThat(only(out, ReportErred.class)).singleElement().extracting(r -> r.error().message()).asString()
                .contains("appears twice");
        assertThat(d.state.taskCount()).isZero();
    }

    @Test
    void aGraphMayUseKeysTheSchedulerAlreadyKnowsAndResubmittedKeysServeBothRequests() {
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 2);
        d.join("a", 1);
        d.submit("c1", List.of(task(x)), x);
        var out = d.submit("c2", List.of(task(y, x), task(x)), y, x); // x again: the same task
        assertThat(computed(out)).isEmpty();
        assertThat(d.state.taskCount()).isEqualTo(2);
        out = d.finish("a", x);
        assertThat(only(out, ReportDone.class)).extracting(r -> r.client().name()).containsExactlyInAnyOrder("c1", "c2");
        assertThat(computed(out)).containsExactly(y);
    }

    @Test
    void aWantedKeyThatIsNotInTheGraphErrsAloneAndTheRestRuns() {
        TaskKey a = key("a", 1);
        TaskKey unknown = key("nope", 2);
        d.join("w", 1);
        var out = d.submit("c", List.of(task(a)), a, unknown);
        assertThat(only(out, ReportErred.class)).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(unknown);
            assertThat(r.error().type()).isEqualTo(INVALID);
        });
        assertThat(computed(out)).containsExactly(a);
    }

    // ---------------------------------------------------------------- releasing and forgetting

    @Test
    void releasedKeysAreFreedOnWorkersAndForgotten() {
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 2);
        d.join("a", 1);
        d.submit("c", List.of(task(x), task(y, x)), y);
        d.finish("a", x);
        var out = d.finish("a", y);
        // x is freed once y has it, but kept in the books while y might need it recomputed.
        assertThat(freed(out)).containsExactly("a:" + x);
        assertThat(d.state.stateOf(x)).isEqualTo(RELEASED);

        out = d.release("c", y);
        assertThat(freed(out)).containsExactly("a:" + y);
        assertThat(d.state.stateOf(y)).isEqualTo(FORGOTTEN);
        assertThat(d.state.stateOf(x)).isEqualTo(FORGOTTEN);
        assertThat(d.state.taskCount()).isZero();
    }

    @Test
    void releasingAPendingPipelineCancelsItsRunningInputsAndRefillsTheWorker() {
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 2);
        TaskKey q1 = key("q", 3);
        TaskKey q2 = key("q", 4);
        d.join("a", 1);
        d.submit("c", List.of(task(x), task(y, x)), y);
        d.submit("c", List.of(task(q1), task(q2)), q1, q2); // one slot left: q1 runs, q2 queues
        assertThat(d.state.stateOf(q2)).isEqualTo(SchedulerTaskState.QUEUED);

        var out = d.release("c", y);
        assertThat(freed(out)).containsExactly("a:" + x);
        assertThat(computed(out)).containsExactly(q2);
        assertThat(d.state.taskCount()).isEqualTo(2);
    }

    @Test
    void aKeyStaysWhileAnotherClientWantsItAndGoesWhenTheLastLeaves() {
        TaskKey k = key("k", 1);
        d.join("a", 1);
        d.submit("c1", List.of(task(k)), k);
        d.submit("c2", List.of(task(k)), k);
        d.finish("a", k);
        assertThat(freed(d.release("c1", k))).isEmpty();
        assertThat(d.state.stateOf(k)).isEqualTo(MEMORY);
        assertThat(freed(d.clientLeft("c2"))).containsExactly("a:" + k);
        assertThat(d.state.stateOf(k)).isEqualTo(FORGOTTEN);
    }

    @Test
    void aKeyWantedAgainAfterItsReleaseIsComputedAndReportedAgain() {
        TaskKey k = key("k", 1);
        d.join("a", 1);
        d.submit("c", List.of(task(k)), k);
        d.finish("a", k);
        d.release("c", k);
        var out = d.submit("c", List.of(task(k)), k);
        assertThat(computed(out)).containsExactly(k);
        assertThat(only(d.finish("a", k), ReportDone.class)).hasSize(1);
    }

    @Test
    void erredTasksThatOnlyDependentsKeptAreForgottenWithThem() {
        TaskKey bad = key("bad", 1);
        TaskKey use = key("use", 2);
        d.join("a", 1);
        d.submit("c", List.of(task(bad), task(use, bad)), use);
        d.fail("a", bad, new RuntimeException("no"));
        assertThat(d.state.stateOf(bad)).isEqualTo(ERRED);
        assertThat(d.state.stateOf(use)).isEqualTo(ERRED);
        d.release("c", use);
        assertThat(d.state.stateOf(bad)).isEqualTo(FORGOTTEN);
        assertThat(d.state.taskCount()).isZero();
    }

    // ---------------------------------------------------------------- deep graphs

    @Test
    void aDependencyChainFarDeeperThanTheStackIsAcceptedRunRecomputedAndReleased() {
        int n = 100_000;
        List<TaskSpec> chain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chain.add(i == 0 ? task(key("c", 0)) : task(key("c", i), key("c", i - 1)));
        }
        TaskKey top = key("c", n - 1);
        d.join("a", 1);
        assertThat(computed(d.submit("client", chain, top))).containsExactly(key("c", 0));
        for (int i = 0; i < n - 1; i++) {
            assertThat(computed(d.finish("a", key("c", i)))).containsExactly(key("c", i + 1));
        }
        d.finish("a", top);
        assertThat(d.state.stateOf(top)).isEqualTo(MEMORY);

        // Losing the only copy recomputes the whole chain from its root.
        d.join("b", 1);
        assertThat(computed(d.leave("a"))).containsExactly(key("c", 0));
        assertThat(d.state.stateOf(top)).isEqualTo(WAITING);

        d.release("client", top);
        assertThat(d.state.taskCount()).isZero();
    }

    // ---------------------------------------------------------------- stories and illegal transitions

    @Test
    void theStoryOfATaskListsItsTransitionsWithTheirStimuli() {
        TaskKey k = key("k", 1);
        d.join("a", 1);
        d.submit("c", List.of(task(k)), k);
        var graph = d.lastStimulus;
        d.finish("a", k);
        var finished = d.lastStimulus;
        d.release("c", k);
        var release = d.lastStimulus;

        List<Transition> story = d.state.story(k);
        assertThat(story).extracting(t -> t.from() == null ? "new" : t.from().name(),
                        t -> t.to() == null ? "forgotten" : t.to().name(), Transition::stimulus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("new", "RELEASED", graph),
                        org.assertj.core.groups.Tuple.tuple("RELEASED", "WAITING", graph),
                        org.assertj.core.groups.Tuple.tuple("WAITING", "PROCESSING", graph),
                        org.assertj.core.groups.Tuple.tuple("PROCESSING", "MEMORY", finished),
                        org.assertj.core.groups.Tuple.tuple("MEMORY", "RELEASED", release),
                        org.assertj.core.groups.Tuple.tuple("RELEASED", "forgotten", release));
        assertThat(story).allMatch(t -> t.key().equals(k));
        assertThat(story.get(3).toString()).contains("PROCESSING -> MEMORY").contains(finished.toString());
    }

    @Test
    void anIllegalTransitionThrowsAndTellsTheStory() throws Exception {
        TaskKey k = key("k", 1);
        d.join("a", 1);
        d.submit("c", List.of(task(k)), k);
        d.finish("a", k);
        Object task = tasksOf(d.state).get(k);
        Method transition = SchedulerState.class.getDeclaredMethod("transition", SchedulerTask.class, SchedulerTaskState.class);
        transition.setAccessible(true);
        for (SchedulerTaskState illegal : List.of(PROCESSING, WAITING, SchedulerTaskState.QUEUED, FORGOTTEN)) {
            assertThatThrownBy(() -> invoke(transition, d.state, task, illegal))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("illegal transition of " + k + ": MEMORY -> " + illegal)
                    .hasMessageContaining("WAITING -> PROCESSING");
        }
        assertThat(d.state.stateOf(k)).isEqualTo(MEMORY);
    }

    @Test
    void aWorkerJoiningTwiceIsRefused() {
        d.join("a", 1);
        assertThatThrownBy(() -> d.join("a", 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> d.join("b", 0.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu");
    }

    @SuppressWarnings("unchecked")
    private static Map<TaskKey, SchedulerTask> tasksOf(SchedulerState s) throws ReflectiveOperationException {
        Field f = SchedulerState.class.getDeclaredField("tasks");
        f.setAccessible(true);
        return (Map<TaskKey, SchedulerTask>) f.get(s);
    }

    private static void invoke(Method m, Object target, Object... args) throws Throwable {
        try {
            m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
