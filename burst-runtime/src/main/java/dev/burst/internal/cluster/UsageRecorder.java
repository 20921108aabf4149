package dev.burst.internal.cluster;

import dev.burst.internal.usage.UsageTotals;
import dev.burst.internal.usagefile.UsageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** Appends a closed cluster's usage to the local ledger file; a failure to write is a warning, never an error. */
final class UsageRecorder {
    private static final Logger log = LoggerFactory.getLogger(UsageRecorder.class);

    private UsageRecorder() {
    }

    static void record(UsageTotals totals) {
        if (totals.workersStarted() == 0) {
            return; // nothing was allocated: nothing to account
        }
        try {
            UsageStore store = UsageStore.atDefaultLocation();
            try {
                store.append(totals);
            } catch (IOException e) {
                log.warn("could not record this run's usage in {}: {}", store.file(), e.toString());
            }
        } catch (RuntimeException e) { // no home directory, a bad $BURST_HOME: a warning, never an error at close
            log.warn("could not record this run's usage: {}", e.toString());
        }
    }
}
