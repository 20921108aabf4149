package dev.burst.internal.usagefile;

import dev.burst.internal.usage.UsageTotals;

import java.nio.file.Path;

/** Test helper process: appends N runs of one user to a ledger file, to race another process. */
final class UsageStoreAppender {
    private UsageStoreAppender() {
    }

    public static void main(String[] args) throws Exception {
        UsageStore store = UsageStore.ofFile(Path.of(args[0]));
        int n = Integer.parseInt(args[2]);
        for (int i = 0; i < n; i++) {
            store.append(new UsageTotals(args[1], "local", "job" + i, 1, 1, 1, 1, 1, 1, 0, 0, 1, i, 0));
        }
    }
}
