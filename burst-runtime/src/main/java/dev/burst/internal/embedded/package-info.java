/**
 * The embedded cluster: a scheduler loop and workers as threads of the client's JVM, no network
 * ({@link dev.burst.internal.embedded.InProcessCluster}, {@link dev.burst.internal.embedded.InProcessWorker}).
 *
 * <p>Must not depend on gRPC, protobuf, the scheduler node or the worker process: values are handed
 * over as objects, never serialized. (It names the transport's {@code BurstAddress} only to say,
 * through {@code ClusterScheduler}, that it has none.)
 */
package dev.burst.internal.embedded;
