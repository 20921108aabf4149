/**
 * A worker's object store: task results kept in memory up to a limit and spilled to disk past it
 * ({@link dev.burst.internal.store.ObjectStore}), encoded by the codec of each value's session
 * ({@link dev.burst.internal.store.ValueCodec}).
 *
 * <p>Depends on burst-core, SLF4J and the JDK only: no gRPC, protobuf or serializer; the worker process
 * serves its bytes to peers.
 */
package dev.burst.internal.store;
