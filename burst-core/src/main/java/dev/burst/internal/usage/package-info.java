/**
 * The usage ledger: core- and GPU-seconds allocated and busy, tasks and bytes spilled, per run
 * ({@link dev.burst.internal.usage.UsageLedger}, {@link dev.burst.internal.usage.UsageTotals}) and
 * per user ({@link dev.burst.internal.usage.UserUsageTotals}).
 *
 * <p>Depends on the JDK and burst-core only: where the figures are kept (a file, a database) is
 * another module's business ({@code dev.burst.internal.usagefile} in burst-runtime).
 */
package dev.burst.internal.usage;
