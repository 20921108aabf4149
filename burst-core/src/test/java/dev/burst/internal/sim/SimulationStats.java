package dev.burst.internal.sim;

/** What a run exercised, so the test can tell a real workout from a vacuous one. */
final class SimulationStats {
    long steps;
    long graphs;
    long invalidGraphs;
    long tasks;
    long executions;
    long failures;
    long cancellations;
    long fetches;
    long failedFetches;
    long deaths;
    long joins;
    long releases;
    long clientsLeft;
    long droppedMessages;
    long reportsDone;
    long reportsErred;
    long workerLostErrors;
    long stalledReports;
    long recomputed;
    long retirements;
    long retired;
    long copies;
    long keysCopied;
    long retireWarnings;
    /** Results clients fetched themselves, and ResultsReceived messages they sent. */
    long clientFetches;
    long receipts;
    /** Lost results not recomputed because their clients held them; those recomputed later (for a dependent). */
    long keptForClients;
    long revived;
    long revivedForDependents;
    /** Work stealing: requests sent, and the answers (granted: the task moved). */
    long stealRequests;
    long stealsGranted;
    long stealsRefused;

    void add(SimulationStats o) {
        steps += o.steps;
        graphs += o.graphs;
        invalidGraphs += o.invalidGraphs;
        tasks += o.tasks;
        executions += o.executions;
        failures += o.failures;
        cancellations += o.cancellations;
        fetches += o.fetches;
        failedFetches += o.failedFetches;
        deaths += o.deaths;
        joins += o.joins;
        releases += o.releases;
        clientsLeft += o.clientsLeft;
        droppedMessages += o.droppedMessages;
        reportsDone += o.reportsDone;
        reportsErred += o.reportsErred;
        workerLostErrors += o.workerLostErrors;
        stalledReports += o.stalledReports;
        recomputed += o.recomputed;
        retirements += o.retirements;
        retired += o.retired;
        copies += o.copies;
        keysCopied += o.keysCopied;
        retireWarnings += o.retireWarnings;
        clientFetches += o.clientFetches;
        receipts += o.receipts;
        keptForClients += o.keptForClients;
        revived += o.revived;
        revivedForDependents += o.revivedForDependents;
        stealRequests += o.stealRequests;
        stealsGranted += o.stealsGranted;
        stealsRefused += o.stealsRefused;
    }

    @Override
    public String toString() {
        return "steps=" + steps + " graphs=" + graphs + " invalidGraphs=" + invalidGraphs + " tasks=" + tasks
                + " executions=" + executions + " failures=" + failures + " cancellations=" + cancellations
                + " fetches=" + fetches + " failedFetches=" + failedFetches + " deaths=" + deaths + " joins=" + joins
                + " releases=" + releases + " clientsLeft=" + clientsLeft + " dropped=" + droppedMessages
                + " done=" + reportsDone + " erred=" + reportsErred + " workerLost=" + workerLostErrors
                + " stalled=" + stalledReports + " recomputed=" + recomputed + " retirements=" + retirements
                + " retired=" + retired + " copyRequests=" + copies + " keysCopied=" + keysCopied
                + " retireWarnings=" + retireWarnings + " clientFetches=" + clientFetches + " receipts=" + receipts
                + " keptForClients=" + keptForClients + " revived=" + revived
                + " revivedForDependents=" + revivedForDependents + " stealRequests=" + stealRequests
                + " stealsGranted=" + stealsGranted + " stealsRefused=" + stealsRefused;
    }
}
