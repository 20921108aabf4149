/**
 * The values every layer shares: task keys, worker and client ids, stimulus ids, priorities,
 * resource amounts and pools, task errors, transitions and the story log.
 *
 * <p>Depends on the JDK only (as does all of burst-core): no threads, sockets, files or clocks.
 */
package dev.burst.internal.core;
