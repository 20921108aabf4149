/**
 * The scheduler over the network: {@link dev.burst.internal.schedulernode.SchedulerNode} serves a
 * scheduler loop to remote workers and clients (gRPC, TLS, code shipping), and
 * {@link dev.burst.internal.schedulernode.RemoteEndpoint} is a client's end of such a scheduler.
 *
 * <p>Must not depend on the worker process, the cluster runtime or the embedded cluster: both ends
 * speak only the wire protocol to the other side.
 */
package dev.burst.internal.schedulernode;
