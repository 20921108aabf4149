/**
 * The {@code burst} command line (picocli): {@code demo}, {@code map}, {@code usage}, and the
 * {@code scheduler} and {@code worker} servers.
 *
 * <p>The top of the dependency graph: it may use the runtime's internals that {@code burst scheduler}
 * and {@code burst worker} need (it is those servers), but no other module may depend on it. The only
 * module with Logback.
 */
package dev.burst.internal.cli;
