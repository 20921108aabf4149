/**
 * How nodes reach each other: TLS with the cluster's pinned certificate and the per-cluster token
 * ({@link dev.burst.internal.transport.ClusterCredentials}, {@link dev.burst.internal.transport.LocalIdentity}),
 * gRPC servers and channels ({@link dev.burst.internal.transport.Transport}), addresses, batched
 * envelopes on a stream ({@link dev.burst.internal.transport.EnvelopeSender}), results reassembled
 * from chunks ({@link dev.burst.internal.transport.ChunkAssembler}) and task arguments as bytes
 * ({@link dev.burst.internal.transport.ArgumentsCodec}), and the TLS server names that reach a
 * cluster's scheduler and workers through a gateway's one port
 * ({@link dev.burst.internal.transport.GatewayRoutes}, {@link dev.burst.internal.transport.WorkerRoute}).
 *
 * <p>Plumbing only: must not depend on the scheduler node, the worker process, code shipping or the
 * object store, which all build on it.
 */
package dev.burst.internal.transport;
