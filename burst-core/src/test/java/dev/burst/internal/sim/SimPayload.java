package dev.burst.internal.sim;

/**
 * The opaque payload of a simulated task, as the scheduler passes it to a worker: how long the
 * task takes on average and how likely one execution raises.
 */
record SimPayload(long meanNanos, double failProbability) {
}
