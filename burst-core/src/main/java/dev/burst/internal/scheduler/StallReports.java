package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.ReportStalled;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.burst.internal.scheduler.SchedulerTaskState.NO_WORKER;
import static dev.burst.internal.scheduler.SchedulerTaskState.WAITING;

/**
 * Telling clients why what they want cannot run (and why: {@link #whyNoWorker}): a task parked in NO_WORKER holds up everything
 * that waits for it, directly or through other tasks, so the walks here go along waiters (down to
 * the clients) and along inputs (up to the parked task). Both walk with worklists, bounded.
 */
final class StallReports {
    private static final int MAX_WALK = 10_000;

    private StallReports() {
    }

    /** Why no worker can run a task; {@code unsatisfiable} when staying workers exist but none fits it. */
    record Reason(String text, boolean unsatisfiable) {
    }

    static Reason whyNoWorker(ResourceAmounts need, Collection<SchedulerWorker> workers) {
        SchedulerWorker staying = null;
        boolean retiringFits = false;
        for (SchedulerWorker x : workers) {
            if (!x.retiring) {
                staying = staying == null ? x : staying;
            } else if (need.fitsIn(x.resources)) {
                retiringFits = true;
            }
        }
        if (workers.isEmpty()) {
            return new Reason("no workers are connected", false);
        } else if (retiringFits) {
            return new Reason("only retiring workers have the resources it asks for: " + need, false);
        } else if (staying == null) {
            return new Reason("every worker is retiring", false);
        }
        return new Reason("no worker has the resources it asks for: " + need + " (workers offer e.g. "
                + staying.resources + ")", true);
    }

    /** Tells every client waiting on parked task {@code t}, directly or through dependents, why. */
    static void tellWaiters(SchedulerTask t, String reason, List<SchedulerCommand> out) {
        ArrayDeque<SchedulerTask> todo = new ArrayDeque<>();
        Set<SchedulerTask> seen = new HashSet<>();
        todo.add(t);
        while (!todo.isEmpty() && seen.size() < MAX_WALK) {
            SchedulerTask x = todo.poll();
            if (!seen.add(x)) {
                continue;
            }
            if (x.wantedBy != null) {
                for (ClientId c : x.wantedBy) {
                    out.add(new ReportStalled(c, x.spec.key(), reason));
                }
            }
            if (x.waiters != null) {
                todo.addAll(x.waiters);
            }
        }
    }

    /** Tells {@code client} which of its wanted keys wait, directly or not, on a task no worker can run. */
    static void tellBlocked(ClientId client, Collection<TaskKey> wanted, Map<TaskKey, SchedulerTask> tasks,
                            List<SchedulerCommand> out) {
        Map<SchedulerTask, SchedulerTask> memo = new HashMap<>(); // task -> a parked input, or itself if none
        for (TaskKey k : wanted) {
            SchedulerTask t = tasks.get(k);
            if (t != null && t.state == WAITING) {
                SchedulerTask p = parkedInput(t, memo);
                if (p != t) {
                    out.add(new ReportStalled(client, k, "task " + p.spec.key() + " cannot run: " + p.stallReason));
                }
            }
        }
    }

    /** A NO_WORKER task that {@code root} waits for through WAITING tasks, or {@code root} if none; memoised. */
    private static SchedulerTask parkedInput(SchedulerTask root, Map<SchedulerTask, SchedulerTask> memo) {
        ArrayDeque<SchedulerTask> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            SchedulerTask x = stack.peek();
            if (memo.containsKey(x)) {
                stack.pop();
                continue;
            }
            SchedulerTask found = x.state == NO_WORKER ? x : null;
            boolean pending = false;
            if (x.state == WAITING && x.waitingOn != null) {
                for (SchedulerTask d : x.waitingOn) {
                    SchedulerTask r = memo.get(d);
                    if (r == null) {
                        stack.push(d);
                        pending = true;
                    } else if (r != d || d.state == NO_WORKER) {
                        found = r;
                    }
                }
            }
            if (!pending) {
                memo.put(x, found == null ? x : found);
                stack.pop();
            }
        }
        return memo.get(root);
    }
}
