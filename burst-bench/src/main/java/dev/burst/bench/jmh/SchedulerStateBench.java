package dev.burst.bench.jmh;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.scheduler.TaskSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler's own cost per task, with no threads, queues or workers: one {@link SchedulerState}
 * takes a 20,000-task map from two simulated workers that finish each task the moment it is
 * assigned, then the client releases everything. Time per task = what one scheduling thread spends.
 *
 * <p>Run: {@code java -cp "burst-bench/target/burst-bench.jar:burst-bench/target/lib/*" org.openjdk.jmh.Main SchedulerStateBench}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerStateBench {
    private static final int TASKS = 20_000;
    private static final ClientId CLIENT = new ClientId("bench");
    private long seq;
    private long keys;

    private StimulusId stimulus() {
        return new StimulusId("bench", ++seq);
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public int mapOf20000() {
        SchedulerState s = new SchedulerState(SchedulerConfig.defaults().withStoryCapacity(100_000));
        ArrayDeque<SchedulerCommand.ComputeTask> assigned = new ArrayDeque<>();
        collect(s.handle(new SchedulerEvent.WorkerJoined(stimulus(), new WorkerId("a"), ResourceAmounts.of(Map.of("cpu", 1.0)))), assigned);
        collect(s.handle(new SchedulerEvent.WorkerJoined(stimulus(), new WorkerId("b"), ResourceAmounts.of(Map.of("cpu", 1.0)))), assigned);
        List<TaskSpec> specs = new ArrayList<>(TASKS);
        List<TaskKey> wanted = new ArrayList<>(TASKS);
        for (int i = 0; i < TASKS; i++) {
            TaskKey k = new TaskKey("noop", ++keys);
            specs.add(new TaskSpec(k, List.of(), ResourceAmounts.ONE_CPU, new TaskPriority(0, 1, i), 0, null));
            wanted.add(k);
        }
        collect(s.handle(new SchedulerEvent.GraphSubmitted(stimulus(), CLIENT, specs, wanted)), assigned);
        int done = 0;
        SchedulerCommand.ComputeTask c;
        while ((c = assigned.poll()) != null) {
            collect(s.handle(new SchedulerEvent.TaskFinished(stimulus(), c.worker(), c.key(), c.runId(), 16, 1_000)), assigned);
            done++;
        }
        s.handle(new SchedulerEvent.KeysReleased(stimulus(), CLIENT, wanted));
        if (done != TASKS || s.taskCount() != 0) {
            throw new AssertionError("ran " + done + " tasks, " + s.taskCount() + " left");
        }
        return done;
    }

    private static void collect(List<SchedulerCommand> commands, ArrayDeque<SchedulerCommand.ComputeTask> into) {
        for (SchedulerCommand c : commands) {
            if (c instanceof SchedulerCommand.ComputeTask t) {
                into.add(t);
            }
        }
    }
}
