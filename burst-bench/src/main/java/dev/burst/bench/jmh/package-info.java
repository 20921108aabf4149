/**
 * JMH micro benchmarks of burst-core's state machines, with no threads, queues or workers.
 *
 * <p>May use burst-core's internals (that is what it measures); nothing may depend on it.
 */
package dev.burst.bench.jmh;
