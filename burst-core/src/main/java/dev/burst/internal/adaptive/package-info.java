/**
 * The adaptive policy: from a {@link dev.burst.internal.adaptive.ClusterSnapshot} and
 * {@link dev.burst.internal.adaptive.AdaptiveSettings}, how many workers a cluster should have and
 * which to retire ({@link dev.burst.internal.adaptive.AdaptiveDecision}). Pure; the controller that
 * runs it on an interval lives in burst-runtime.
 *
 * <p>Depends on the JDK and burst-core only: no threads, clocks or backends.
 */
package dev.burst.internal.adaptive;
