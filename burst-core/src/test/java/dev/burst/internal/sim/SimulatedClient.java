package dev.burst.internal.sim;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A client of the simulated cluster: what it asked for, and every outcome it was told. */
final class SimulatedClient {

    /** One "I want the result of this key", from submission until the client releases it. */
    static final class Request {
        final long id;
        final ClientId client;
        final TaskKey key;
        /** Why the scheduler must refuse it (the graph was invalid or the key unknown), else null. */
        final String expectInvalid;
        final long submittedAt;
        boolean released;
        /** Each ReportDone or ReportErred that reached the client for this request. */
        final List<SchedulerCommand> outcomes = new ArrayList<>(1);
        /** The client fetched the result and holds it itself (it may or may not have told the scheduler). */
        boolean received;
        int stalledReports;

        Request(long id, ClientId client, TaskKey key, String expectInvalid, long submittedAt) {
            this.id = id;
            this.client = client;
            this.key = key;
            this.expectInvalid = expectInvalid;
            this.submittedAt = submittedAt;
        }

        @Override
        public String toString() {
            return "request #" + id + " of " + client + " for " + key + (released ? " (released)" : "")
                    + " outcomes=" + outcomes + " stalled=" + stalledReports;
        }
    }

    final ClientId id;
    final Timeline.Link toScheduler = new Timeline.Link();
    final Timeline.Link fromScheduler = new Timeline.Link();
    /** The requests the client holds now, by key (client-side view: a release counts when sent). */
    final Map<TaskKey, Request> active = new LinkedHashMap<>();
    final List<Request> requests = new ArrayList<>();
    boolean left;

    SimulatedClient(ClientId id) {
        this.id = id;
    }
}
