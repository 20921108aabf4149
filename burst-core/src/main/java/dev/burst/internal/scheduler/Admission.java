package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.ReportErred;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static dev.burst.internal.scheduler.SchedulerTaskState.ERRED;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.NO_WORKER;
import static dev.burst.internal.scheduler.SchedulerTaskState.QUEUED;
import static dev.burst.internal.scheduler.SchedulerTaskState.WAITING;

/**
 * Whether the scheduler takes new work ({@link SchedulerEvent.AdmissionClosed}: a cluster winding
 * down). Once closed it stays closed: tasks not started fail with the refusal, new submissions
 * get it for every key whose result is not in memory, and lost results are not recomputed.
 */
final class Admission {
    private final Map<TaskKey, SchedulerTask> tasks;
    /** Why no new work is taken; null while it is. */
    private TaskError refusal;

    Admission(Map<TaskKey, SchedulerTask> tasks) {
        this.tasks = tasks;
    }

    /** The refusal, or null while work is taken. */
    TaskError refusal() {
        return refusal;
    }

    /**
     * Closes admission; returns the tasks that have not started, for the scheduler to fail with
     * the refusal (their waiting dependents fail with them). Empty when it was closed already.
     */
    List<SchedulerTask> close(TaskError why, List<SchedulerCommand> out) {
        if (refusal != null) {
            return List.of();
        }
        refusal = why;
        out.add(new LogWarning("taking no new tasks: " + why.message()));
        List<SchedulerTask> notStarted = new ArrayList<>();
        for (SchedulerTask t : tasks.values()) {
            if (t.state == WAITING || t.state == QUEUED || t.state == NO_WORKER) {
                notStarted.add(t);
            }
        }
        return notStarted;
    }

    /** A submission while closed: results in memory (or failed) are reported, everything else is refused. */
    void refuse(ClientId client, Collection<TaskKey> wanted, List<SchedulerCommand> out) {
        for (TaskKey k : wanted) {
            SchedulerTask t = tasks.get(k);
            if (t != null && (t.state == MEMORY || t.state == ERRED)) {
                t.addWant(client);
                if (t.state == MEMORY) {
                    ClientReports.done(t, out);
                } else {
                    ClientReports.erred(t, out);
                }
            } else {
                out.add(new ReportErred(client, k, refusal));
            }
        }
    }
}
