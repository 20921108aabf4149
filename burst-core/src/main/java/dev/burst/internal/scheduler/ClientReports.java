package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand.ReportDone;
import dev.burst.internal.scheduler.SchedulerCommand.ReportErred;

import java.util.ArrayList;
import java.util.List;

/**
 * Telling the clients that want a task that it is done (with the workers that hold it) or erred,
 * each client once ({@link SchedulerTask#markReported}). Split out of {@link SchedulerState}, whose
 * {@code out} list of commands it appends to.
 */
final class ClientReports {
    private ClientReports() {
    }

    /** A {@link ReportDone} for each wanting client not yet told. */
    static void done(SchedulerTask t, List<SchedulerCommand> out) {
        if (t.wantedBy == null) {
            return;
        }
        List<WorkerId> holders = null;
        for (ClientId c : t.wantedBy) {
            if (t.markReported(c)) {
                if (holders == null) {
                    holders = new ArrayList<>(t.whoHas.size());
                    for (SchedulerWorker w : t.whoHas) {
                        holders.add(w.id);
                    }
                }
                out.add(new ReportDone(c, t.spec.key(), holders));
            }
        }
    }

    /** A {@link ReportErred} for each wanting client not yet told. */
    static void erred(SchedulerTask t, List<SchedulerCommand> out) {
        if (t.wantedBy == null) {
            return;
        }
        for (ClientId c : t.wantedBy) {
            if (t.markReported(c)) {
                out.add(new ReportErred(c, t.spec.key(), t.error));
            }
        }
    }
}
