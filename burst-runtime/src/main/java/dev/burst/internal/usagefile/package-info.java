/**
 * The usage ledger on this machine: finished runs appended as JSON lines to
 * {@code <burst home>/usage/ledger.jsonl} and read back for {@code burst usage}
 * ({@link dev.burst.internal.usagefile.UsageStore}, {@link dev.burst.internal.usagefile.UsageHistory}).
 *
 * <p>Depends on burst-core's usage figures and Jackson only: no cluster, scheduler or network classes.
 */
package dev.burst.internal.usagefile;
