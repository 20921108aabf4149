package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand.ComputeTask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one {@link SchedulerState} in tests: terse events in, commands out, with a fresh stimulus
 * id per event so stories can be checked.
 */
final class SchedulerDriver {
    final SchedulerState state;
    private long seq;
    /** The stimulus of the last event handed in. */
    StimulusId lastStimulus;
    /** Run id of the latest assignment per "worker:key", so reports can name their run. */
    private final Map<String, Long> runs = new HashMap<>();

    SchedulerDriver() {
        this(SchedulerConfig.defaults());
    }

    SchedulerDriver(SchedulerConfig config) {
        this.state = new SchedulerState(config);
    }

    // ---------------------------------------------------------------- building blocks

    static TaskKey key(String prefix, long id) {
        return new TaskKey(prefix, id);
    }

    static WorkerId worker(String name) {
        return new WorkerId(name);
    }

    static ClientId client(String name) {
        return new ClientId(name);
    }

    static ResourceAmounts resources(Object... nameAmount) {
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < nameAmount.length; i += 2) {
            m.put((String) nameAmount[i], ((Number) nameAmount[i + 1]).doubleValue());
        }
        return ResourceAmounts.of(m);
    }

    static TaskSpec task(TaskKey key, TaskKey... deps) {
        return new TaskSpec(key, Arrays.asList(deps), ResourceAmounts.NONE, TaskPriority.DEFAULT, 0, "fn:" + key);
    }

    static TaskSpec task(TaskKey key, ResourceAmounts resources, TaskKey... deps) {
        return new TaskSpec(key, Arrays.asList(deps), resources, TaskPriority.DEFAULT, 0, "fn:" + key);
    }

    static TaskSpec task(TaskKey key, TaskPriority priority, TaskKey... deps) {
        return new TaskSpec(key, Arrays.asList(deps), ResourceAmounts.NONE, priority, 0, "fn:" + key);
    }

    static TaskSpec retried(TaskKey key, int retries, TaskKey... deps) {
        return new TaskSpec(key, Arrays.asList(deps), ResourceAmounts.NONE, TaskPriority.DEFAULT, retries, "fn:" + key);
    }

    // ---------------------------------------------------------------- events

    List<SchedulerCommand> handle(SchedulerEvent e) {
        lastStimulus = e.stimulusId();
        List<SchedulerCommand> out = state.handle(e);
        for (SchedulerCommand c : out) {
            if (c instanceof ComputeTask t) {
                runs.put(t.worker().name() + ":" + t.key(), t.runId());
            }
        }
        return out;
    }

    /** The run id of the latest assignment of {@code key} to {@code worker} (0 if none). */
    long runOf(String worker, TaskKey key) {
        return runs.getOrDefault(worker + ":" + key, 0L);
    }

    StimulusId stimulus(String kind) {
        return new StimulusId(kind, ++seq);
    }

    List<SchedulerCommand> join(String name, double cpus) {
        return join(name, resources(ResourceAmounts.CPU, cpus));
    }

    List<SchedulerCommand> join(String name, ResourceAmounts resources) {
        return handle(new SchedulerEvent.WorkerJoined(stimulus("joined"), worker(name), resources));
    }

    List<SchedulerCommand> leave(String name) {
        return handle(new SchedulerEvent.WorkerLeft(stimulus("left"), worker(name)));
    }

    List<SchedulerCommand> submit(String client, List<TaskSpec> tasks, TaskKey... wanted) {
        return handle(new SchedulerEvent.GraphSubmitted(stimulus("graph"), client(client), tasks, List.of(wanted)));
    }

    List<SchedulerCommand> release(String client, TaskKey... keys) {
        return handle(new SchedulerEvent.KeysReleased(stimulus("release"), client(client), List.of(keys)));
    }

    /** {@code client} says it holds the results of {@code keys}. */
    List<SchedulerCommand> received(String client, TaskKey... keys) {
        return handle(new SchedulerEvent.ResultsReceived(stimulus("received"), client(client), List.of(keys)));
    }

    List<SchedulerCommand> clientLeft(String client) {
        return handle(new SchedulerEvent.ClientLeft(stimulus("client-left"), client(client)));
    }

    List<SchedulerCommand> finish(String worker, TaskKey key) {
        return finish(worker, key, 100, 1_000_000);
    }

    List<SchedulerCommand> finish(String worker, TaskKey key, long nbytes, long durationNanos) {
        return finishRun(worker, key, runOf(worker, key), nbytes, durationNanos);
    }

    List<SchedulerCommand> finishRun(String worker, TaskKey key, long runId, long nbytes, long durationNanos) {
        return handle(new SchedulerEvent.TaskFinished(stimulus("finished"), worker(worker), key, runId, nbytes, durationNanos));
    }

    List<SchedulerCommand> fail(String worker, TaskKey key, Throwable error) {
        return handle(new SchedulerEvent.TaskFailed(stimulus("failed"), worker(worker), key, runOf(worker, key),
                TaskError.of(error)));
    }

    List<SchedulerCommand> dataMissing(String worker, TaskKey key, TaskKey dependency, String holder) {
        return handle(new SchedulerEvent.DataMissing(stimulus("missing"), worker(worker), key, runOf(worker, key), dependency,
                holder == null ? null : worker(holder)));
    }

    List<SchedulerCommand> retire(String... workers) {
        return handle(new SchedulerEvent.RetireWorkers(stimulus("retire"),
                Arrays.stream(workers).map(SchedulerDriver::worker).toList()));
    }

    /** {@code worker} copied {@code keys}, 100 bytes each. */
    List<SchedulerCommand> copied(String worker, TaskKey... keys) {
        return handle(new SchedulerEvent.KeysCopied(stimulus("copied"), worker(worker), List.of(keys),
                Arrays.stream(keys).map(k -> 100L).toList()));
    }

    List<SchedulerCommand> closeAdmission(String why) {
        return handle(new SchedulerEvent.AdmissionClosed(stimulus("closed"), new TaskError("dev.burst.BudgetSpentException", why, null)));
    }

    // ---------------------------------------------------------------- reading commands

    static <T extends SchedulerCommand> List<T> only(List<SchedulerCommand> commands, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (SchedulerCommand c : commands) {
            if (type.isInstance(c)) {
                out.add(type.cast(c));
            }
        }
        return out;
    }

    /** The keys of the ComputeTask commands, in order. */
    static List<TaskKey> computed(List<SchedulerCommand> commands) {
        return only(commands, ComputeTask.class).stream().map(ComputeTask::key).toList();
    }

    /** The one ComputeTask for {@code key}; fails if there is none or more. */
    static ComputeTask computeOf(List<SchedulerCommand> commands, TaskKey key) {
        List<ComputeTask> found = only(commands, ComputeTask.class).stream().filter(c -> c.key().equals(key)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one ComputeTask for " + key + " in " + commands);
        }
        return found.get(0);
    }

    /** The keys each worker was told to free, flattened, in order. */
    static List<String> freed(List<SchedulerCommand> commands) {
        List<String> out = new ArrayList<>();
        for (SchedulerCommand.FreeKeys f : only(commands, SchedulerCommand.FreeKeys.class)) {
            for (TaskKey k : f.keys()) {
                out.add(f.worker() + ":" + k);
            }
        }
        return out;
    }
}
