package dev.burst.internal.loop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event: the scheduler loop spent at least {@link SchedulerLoop#BUSY_EVENT_NANOS} on one item
 * (an event or a query), during which nothing else was scheduled. Read it with
 * {@code jfr print --events dev.burst.SchedulerLoopBusy}, or in-process with a
 * {@code RecordingStream}; the benchmark of million-task graphs does.
 */
@Name("dev.burst.SchedulerLoopBusy")
@Label("Scheduler loop busy")
@Category("Burst")
@Description("The scheduler loop handled one item for this long; every other event waited")
@StackTrace(false)
final class LoopBusyEvent extends jdk.jfr.Event {
    @Label("Busy")
    @Timespan(Timespan.NANOSECONDS)
    long busy;

    @Label("Item")
    String item;

    @Label("Tasks in the item")
    int tasks;
}
