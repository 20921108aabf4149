package dev.burst.internal.worker;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.Transition;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.worker.WorkerCommand.CancelExecution;
import dev.burst.internal.worker.WorkerCommand.DropResult;
import dev.burst.internal.worker.WorkerCommand.Execute;
import dev.burst.internal.worker.WorkerCommand.Fetch;
import dev.burst.internal.worker.WorkerCommand.SendDataMissing;
import dev.burst.internal.worker.WorkerCommand.SendFailed;
import dev.burst.internal.worker.WorkerCommand.SendFinished;
import dev.burst.internal.worker.WorkerCommand.SendKeysCopied;
import dev.burst.internal.worker.WorkerCommand.SendStealAnswer;
import dev.burst.internal.worker.WorkerCommand.StoreResult;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.burst.internal.worker.WorkerTaskState.ERRED;
import static dev.burst.internal.worker.WorkerTaskState.EXECUTING;
import static dev.burst.internal.worker.WorkerTaskState.FETCHING;
import static dev.burst.internal.worker.WorkerTaskState.MEMORY;
import static dev.burst.internal.worker.WorkerTaskState.READY;
import static dev.burst.internal.worker.WorkerTaskState.WAITING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker state machine, events in and commands out. */
class WorkerStateTest {
    private static final WorkerId PEER = new WorkerId("peer");
    private static final ResourceAmounts GPU = resources("gpu", 1);

    private WorkerState w = worker(resources("cpu", 1));
    private long seq;
    private StimulusId last;

    // ---------------------------------------------------------------- running tasks

    @Test
    void runsAnAssignedTaskKeepsItsResultAndDropsItWhenFreed() {
        TaskKey k = key("f", 1);
        var out = compute(k, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        assertThat(out).containsExactly(new Execute(k, 1, "fn:" + k, List.of(), ResourceAmounts.ONE_CPU));
        assertThat(w.stateOf(k)).isEqualTo(EXECUTING);
        assertThat(w.freeResources().get("cpu")).isZero();

        out = succeed(k, 1, 42, 7);
        assertThat(out).containsExactly(new StoreResult(k), new SendFinished(k, RUN, 42, 7));
        assertThat(w.stateOf(k)).isEqualTo(MEMORY);
        assertThat(w.freeResources().get("cpu")).isEqualTo(1.0);

        assertThat(freed(k)).containsExactly(new DropResult(k));
        assertThat(w.stateOf(k)).isNull();
        assertThat(w.taskCount()).isZero();
    }

    @Test
    void readyTasksStartByUserPriorityThenSubmissionThenGraphOrder() {
        TaskKey first = key("first", 0);
        compute(first, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        TaskKey a = key("a", 1);
        TaskKey b = key("b", 2);
        TaskKey c = key("c", 3);
        TaskKey d = key("d", 4);
        assertThat(compute(a, ResourceAmounts.NONE, new TaskPriority(0, 2, 0))).isEmpty();
        assertThat(compute(b, ResourceAmounts.NONE, new TaskPriority(3, 5, 0))).isEmpty();
        assertThat(compute(c, ResourceAmounts.NONE, new TaskPriority(0, 1, 9))).isEmpty();
        assertThat(compute(d, ResourceAmounts.NONE, new TaskPriority(0, 1, 2))).isEmpty();
        assertThat(w.stateOf(a)).isEqualTo(READY);

        List<TaskKey> started = new ArrayList<>();
        TaskKey running = first;
        long attempt = 1;
        for (int i = 0; i < 4; i++) {
            Execute x = only(succeed(running, attempt, 8, 1), Execute.class).get(0);
            started.add(x.key());
            running = x.key();
            attempt = x.attempt();
        }
        assertThat(started).containsExactly(b, d, c, a);
    }

    @Test
    void aWorkerWithOneGpuNeverRunsTwoGpuTasksAtOnceButKeepsItsCpusBusy() {
        w = worker(resources("cpu", 4, "gpu", 1));
        TaskKey g1 = key("train", 1);
        TaskKey g2 = key("train", 2);
        TaskKey c1 = key("prep", 3);
        List<WorkerCommand> out = new ArrayList<>();
        out.addAll(compute(g1, GPU, TaskPriority.DEFAULT));
        out.addAll(compute(g2, GPU, TaskPriority.DEFAULT));
        out.addAll(compute(c1, ResourceAmounts.NONE, TaskPriority.DEFAULT));
        assertThat(only(out, Execute.class)).extracting(Execute::key).containsExactly(g1, c1);
        assertThat(w.stateOf(g2)).isEqualTo(READY);
        assertThat(w.freeResources().get("gpu")).isZero();
        assertThat(w.freeResources().get("cpu")).isEqualTo(2.0);

        out = succeed(g1, 1, 8, 1);
        assertThat(only(out, Execute.class)).singleElement().satisfies(x -> {
            assertThat(x.key()).isEqualTo(g2);
            assertThat(x.resources()).isEqualTo(resources("gpu", 1, "cpu", 1));
        });
        assertThat(w.freeResources().get("gpu")).isZero();
    }

    @Test
    void fractionalAndMultiCpuRequestsAreCountedExactly() {
        w = worker(resources("cpu", 2, "gpu", 1));
        TaskKey h1 = key("half", 1);
        TaskKey h2 = key("half", 2);
        TaskKey wide = key("wide", 3);
        List<WorkerCommand> out = new ArrayList<>();
        out.addAll(compute(h1, resources("gpu", 0.5), TaskPriority.DEFAULT));
        out.addAll(compute(h2, resources("gpu", 0.5), TaskPriority.DEFAULT));
        out.addAll(compute(wide, resources("cpu", 2), TaskPriority.DEFAULT));
        assertThat(only(out, Execute.class)).extracting(Execute::key).containsExactly(h1, h2);
        succeed(h1, 1, 8, 1);
        assertThat(w.stateOf(wide)).isEqualTo(READY); // needs both cpus
        assertThat(only(succeed(h2, 2, 8, 1), Execute.class)).extracting(Execute::key).containsExactly(wide);
        assertThat(w.freeResources().get("cpu")).isZero();
        assertThat(w.freeResources().get("gpu")).isEqualTo(1.0);
    }

    @Test
    void aFailingTaskIsReportedWithItsErrorAndItsFetchedInputsAreDropped() {
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 2);
        compute(y, List.of(x), Map.of(x, List.of(PEER)));
        fetched(x, 10);
        RuntimeException boom = new IllegalStateException("boom");
        var out = w.handle(new WorkerEvent.ExecutionFailed(stimulus("failed"), y, 1, TaskError.of(boom), 5));
        assertThat(out).containsExactlyInAnyOrder(new SendFailed(y, RUN, TaskError.of(boom)), new DropResult(x));
        assertThat(w.stateOf(y)).isEqualTo(ERRED);
        assertThat(w.stateOf(x)).isNull();
        assertThat(freed(y)).isEmpty();
        assertThat(w.taskCount()).isZero();
    }

    // ---------------------------------------------------------------- inputs from peers

    @Test
    void inputsAreFetchedOnceKeptWhileNeededAndDroppedAfter() {
        TaskKey x = key("x", 1);
        TaskKey y1 = key("y", 2);
        TaskKey y2 = key("y", 3);
        w = worker(resources("cpu", 2));
        assertThat(compute(y1, List.of(x), Map.of(x, List.of(PEER)))).containsExactly(new Fetch(x, List.of(PEER)));
        assertThat(compute(y2, List.of(x), Map.of(x, List.of(PEER)))).isEmpty();
        assertThat(w.stateOf(x)).isEqualTo(FETCHING);
        assertThat(w.stateOf(y1)).isEqualTo(WAITING);

        var out = fetched(x, 10);
        assertThat(out.get(0)).isEqualTo(new StoreResult(x));
        assertThat(only(out, Execute.class)).extracting(Execute::key).containsExactly(y1, y2);
        assertThat(only(out, Execute.class).get(0).dependencies()).containsExactly(x);
        assertThat(only(out, SendFinished.class)).isEmpty(); // a fetched copy is not news to the scheduler

        assertThat(succeed(y1, 1, 8, 1)).doesNotContain(new DropResult(x));
        assertThat(succeed(y2, 2, 8, 1)).contains(new DropResult(x));
        assertThat(w.stateOf(x)).isNull();
    }

    @Test
    void aFailedFetchIsReportedPerWaitingTaskAndRetriedWhereTheSchedulerSaysItIsNow() {
        TaskKey x = key("x", 1);
        TaskKey y1 = key("y", 2);
        TaskKey y2 = key("y", 3);
        compute(y1, List.of(x), Map.of(x, List.of(PEER)));
        compute(y2, List.of(x), Map.of(x, List.of(PEER)));
        var out = w.handle(new WorkerEvent.FetchFailed(stimulus("fetch-failed"), x, PEER));
        assertThat(out).containsExactlyInAnyOrder(new SendDataMissing(y1, RUN, x, PEER), new SendDataMissing(y2, RUN, x, PEER));

        // The scheduler moves y1 (free, then assign again with a fresh holder) before it gets to y2.
        WorkerId other = new WorkerId("other");
        freed(y1);
        assertThat(compute(y1, List.of(x), Map.of(x, List.of(other)))).containsExactly(new Fetch(x, List.of(other)));
        assertThat(only(fetched(x, 10), Execute.class)).extracting(Execute::key).containsExactly(y1);
    }

    @Test
    void askedToComputeAResultItAlreadyHoldsItReportsItAtOnce() {
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 2);
        compute(y, List.of(x), Map.of(x, List.of(PEER)));
        fetched(x, 10);
        var out = compute(x, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        assertThat(out).containsExactly(new SendFinished(x, RUN, 10, 0));
        assertThat(succeed(y, 1, 8, 1)).doesNotContain(new DropResult(x)); // the scheduler counts it now
        assertThat(freed(x)).containsExactly(new DropResult(x));
    }

    // ---------------------------------------------------------------- cancelling

    @Test
    void aRunningTaskThatIsFreedIsCancelledKeepsItsResourcesUntilItReturnsAndItsResultIsDropped() {
        TaskKey k = key("slow", 1);
        TaskKey j = key("next", 2);
        compute(k, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        assertThat(freed(k)).containsExactly(new CancelExecution(k, 1));
        assertThat(w.stateOf(k)).isNull();
        assertThat(w.executingCount()).isEqualTo(1);
        assertThat(w.freeResources().get("cpu")).isZero();

        assertThat(compute(j, ResourceAmounts.NONE, TaskPriority.DEFAULT)).isEmpty(); // the thread is still taken
        var out = succeed(k, 1, 8, 1); // the cancelled run returns anyway
        assertThat(out).containsExactly(new Execute(j, 2, "fn:" + j, List.of(), ResourceAmounts.ONE_CPU));
        assertThat(w.executingCount()).isEqualTo(1);
    }

    @Test
    void aTaskFreedAndAssignedAgainWhileItsCancelledRunIsStillGoingRunsAgainAfterIt() {
        TaskKey k = key("k", 1);
        compute(k, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        freed(k);
        assertThat(compute(k, ResourceAmounts.NONE, TaskPriority.DEFAULT)).isEmpty();
        var late = w.handle(new WorkerEvent.ExecutionFailed(stimulus("failed"), k, 1,
                TaskError.of(new java.util.concurrent.CancellationException()), 3));
        assertThat(late).containsExactly(new Execute(k, 2, "fn:" + k, List.of(), ResourceAmounts.ONE_CPU));
        assertThat(succeed(k, 2, 8, 1)).containsExactly(new StoreResult(k), new SendFinished(k, RUN, 8, 1));
    }

    @Test
    void aTaskFreedWhileItsInputIsFetchedIsDroppedAndTheLateCopyIgnored() {
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 2);
        compute(y, List.of(x), Map.of(x, List.of(PEER)));
        assertThat(freed(y)).isEmpty();
        assertThat(w.taskCount()).isZero();
        assertThat(fetched(x, 10)).isEmpty();
        assertThat(w.taskCount()).isZero();
    }

    // ---------------------------------------------------------------- misuse, stories

    @Test
    void anOutcomeForAnExecutionThatIsNotRunningIsRefused() {
        assertThatThrownBy(() -> succeed(key("k", 1), 7, 8, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no execution 7");
        assertThatThrownBy(() -> new WorkerState(PEER, resources("gpu", 1), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu >= 1");
    }

    @Test
    void anIllegalTransitionThrowsAndTellsTheStory() throws Exception {
        TaskKey k = key("k", 1);
        compute(k, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        succeed(k, 1, 8, 1);
        Field tasks = WorkerState.class.getDeclaredField("tasks");
        tasks.setAccessible(true);
        Object task = ((Map<?, ?>) tasks.get(w)).get(k);
        Method transition = Arrays.stream(WorkerState.class.getDeclaredMethods())
                .filter(m -> m.getName().equals("transition")).findFirst().orElseThrow();
        transition.setAccessible(true);
        for (WorkerTaskState illegal : List.of(EXECUTING, WAITING, READY, FETCHING)) {
            assertThatThrownBy(() -> {
                try {
                    transition.invoke(w, task, illegal);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("illegal transition of " + k + ": MEMORY -> " + illegal)
                    .hasMessageContaining("EXECUTING -> MEMORY");
        }
        assertThat(w.stateOf(k)).isEqualTo(MEMORY);
    }

    @Test
    void theStoryOfATaskListsItsTransitionsWithTheirStimuli() {
        TaskKey k = key("k", 1);
        compute(k, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        StimulusId computeStimulus = last;
        succeed(k, 1, 8, 1);
        StimulusId doneStimulus = last;
        freed(k);
        StimulusId freeStimulus = last;
        List<Transition> story = w.story(k);
        assertThat(story).extracting(t -> t.from() == null ? "new" : t.from().name(),
                        t -> t.to() == null ? "forgotten" : t.to().name(), Transition::stimulus)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("new", "WAITING", computeStimulus),
                        org.assertj.core.groups.Tuple.tuple("WAITING", "READY", computeStimulus),
                        org.assertj.core.groups.Tuple.tuple("READY", "EXECUTING", computeStimulus),
                        org.assertj.core.groups.Tuple.tuple("EXECUTING", "MEMORY", doneStimulus),
                        org.assertj.core.groups.Tuple.tuple("MEMORY", "forgotten", freeStimulus));
    }

    // ---------------------------------------------------------------- copies for retiring workers

    @Test
    void aRequestedCopyIsFetchedReportedAndKeptUntilFreed() {
        TaskKey k = key("k", 1);
        assertThat(copy(k)).containsExactly(new Fetch(k, List.of(PEER)));
        assertThat(w.stateOf(k)).isEqualTo(FETCHING);

        assertThat(fetched(k, 64)).containsExactly(new StoreResult(k), new SendKeysCopied(List.of(k), List.of(64L)));
        assertThat(w.stateOf(k)).as("kept although no local task needs it").isEqualTo(MEMORY);

        assertThat(freed(k)).containsExactly(new DropResult(k));
        assertThat(w.taskCount()).isZero();
    }

    @Test
    void aKeyHeldAlreadyCountsAsCopiedAndTheAnswerWaitsForTheRest() {
        TaskKey held = key("held", 1);
        TaskKey other = key("other", 2);
        compute(held, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        succeed(held, 1, 8, 1);

        assertThat(copy(held, other)).containsExactly(new Fetch(other, List.of(PEER)));
        assertThat(fetched(other, 16)).containsExactly(new StoreResult(other),
                new SendKeysCopied(List.of(held, other), List.of(8L, 16L)));

        // Freed as an assigned task, still kept as a copy: both need a KeysFreed; one frees both roles.
        assertThat(freed(held)).containsExactly(new DropResult(held));
        assertThat(copy(other)).as("held: answered at once").containsExactly(
                new SendKeysCopied(List.of(other), List.of(16L)));
    }

    @Test
    void aFailedCopyIsLeftOutOfTheAnswerAndLeavesNothingBehind() {
        TaskKey k = key("k", 1);
        TaskKey j = key("j", 2);
        copy(k, j);
        assertThat(w.handle(new WorkerEvent.FetchFailed(stimulus("fetch-failed"), k, PEER))).isEmpty();
        assertThat(fetched(j, 4)).containsExactly(new StoreResult(j), new SendKeysCopied(List.of(j), List.of(4L)));
        assertThat(w.stateOf(k)).isNull();
        assertThat(w.taskCount()).isEqualTo(1);
    }

    @Test
    void aCopyFreedBeforeItArrivesIsNotReported() {
        TaskKey k = key("k", 1);
        copy(k);
        assertThat(freed(k)).containsExactly(new SendKeysCopied(List.of(), List.of()));
        assertThat(fetched(k, 4)).as("late: dropped").isEmpty();
        assertThat(w.taskCount()).isZero();
    }

    // ---------------------------------------------------------------- work stealing

    @Test
    void aStealRequestIsGrantedOnlyForATaskThatHasNotStarted() {
        TaskKey running = key("long", 1);
        TaskKey queued = key("short", 2);
        compute(running, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        compute(queued, ResourceAmounts.NONE, TaskPriority.DEFAULT);
        assertThat(w.stateOf(queued)).isEqualTo(READY);

        assertThat(steal(running, RUN)).as("started: kept").containsExactly(new SendStealAnswer(running, RUN, false));
        assertThat(w.stateOf(running)).isEqualTo(EXECUTING);
        assertThat(steal(queued, RUN + 1)).as("another run than this worker's").containsExactly(new SendStealAnswer(queued, RUN + 1, false));
        assertThat(w.stateOf(queued)).isEqualTo(READY);

        assertThat(steal(queued, RUN)).containsExactly(new SendStealAnswer(queued, RUN, true));
        assertThat(w.stateOf(queued)).as("given up: gone").isNull();
        // The thread it would have taken runs nothing of it: the long task's end starts nothing.
        assertThat(succeed(running, 1, 8, 5)).containsExactly(new StoreResult(running), new SendFinished(running, RUN, 8, 5));
        assertThat(w.executingCount()).isZero();
        assertThat(steal(queued, RUN)).as("asked again: not here").containsExactly(new SendStealAnswer(queued, RUN, false));
    }

    @Test
    void aTaskWaitingForInputsIsGivenUpWithItsFetches() {
        TaskKey in = key("in", 1);
        TaskKey k = key("k", 2);
        compute(k, List.of(in), Map.of(in, List.of(PEER)));
        assertThat(w.stateOf(in)).isEqualTo(FETCHING);
        assertThat(steal(k, RUN)).containsExactly(new SendStealAnswer(k, RUN, true));
        assertThat(w.taskCount()).as("neither the task nor its input is kept").isZero();
        assertThat(fetched(in, 4)).as("the fetch that lands late is dropped").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private List<WorkerCommand> steal(TaskKey k, long runId) {
        return w.handle(new WorkerEvent.StealRequested(stimulus("steal"), k, runId));
    }

    private List<WorkerCommand> copy(TaskKey... keys) {
        Map<TaskKey, List<WorkerId>> whoHas = new HashMap<>();
        for (TaskKey k : keys) {
            whoHas.put(k, List.of(PEER));
        }
        return w.handle(new WorkerEvent.CopyRequested(stimulus("copy"), List.of(keys), whoHas));
    }

    private static WorkerState worker(ResourceAmounts resources) {
        return new WorkerState(new WorkerId("w"), resources, 1000);
    }

    private static TaskKey key(String prefix, long id) {
        return new TaskKey(prefix, id);
    }

    private static ResourceAmounts resources(Object... nameAmount) {
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < nameAmount.length; i += 2) {
            m.put((String) nameAmount[i], ((Number) nameAmount[i + 1]).doubleValue());
        }
        return ResourceAmounts.of(m);
    }

    /** The run id every assignment in these tests carries; the scheduler tests cover run ids. */
    private static final long RUN = 7;

    private StimulusId stimulus(String kind) {
        last = new StimulusId(kind, ++seq);
        return last;
    }

    private List<WorkerCommand> compute(TaskKey k, ResourceAmounts resources, TaskPriority priority) {
        return w.handle(new WorkerEvent.ComputeRequested(stimulus("compute"), k, RUN, "fn:" + k, List.of(), Map.of(),
                resources, priority));
    }

    private List<WorkerCommand> compute(TaskKey k, List<TaskKey> deps, Map<TaskKey, List<WorkerId>> whoHas) {
        return w.handle(new WorkerEvent.ComputeRequested(stimulus("compute"), k, RUN, "fn:" + k, deps, whoHas,
                ResourceAmounts.NONE, TaskPriority.DEFAULT));
    }

    private List<WorkerCommand> succeed(TaskKey k, long attempt, long nbytes, long durationNanos) {
        return w.handle(new WorkerEvent.ExecutionSucceeded(stimulus("done"), k, attempt, nbytes, durationNanos));
    }

    private List<WorkerCommand> fetched(TaskKey k, long nbytes) {
        return w.handle(new WorkerEvent.FetchSucceeded(stimulus("fetched"), k, nbytes));
    }

    private List<WorkerCommand> freed(TaskKey... keys) {
        return w.handle(new WorkerEvent.KeysFreed(stimulus("free"), List.of(keys)));
    }

    private static <T extends WorkerCommand> List<T> only(List<WorkerCommand> commands, Class<T> type) {
        return commands.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
