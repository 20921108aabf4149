/**
 * Code shipping: the client offers its classpath as content-addressed jars
 * ({@link dev.burst.internal.codeshipping.ClasspathOffer}), the scheduler keeps them
 * ({@link dev.burst.internal.codeshipping.BlobStore}) and serves them
 * ({@link dev.burst.internal.codeshipping.BlobTransfer}), a worker fetches what it lacks
 * ({@link dev.burst.internal.codeshipping.BlobFetcher}) and loads each client session's tasks in a
 * class loader of its own ({@link dev.burst.internal.codeshipping.SessionLoaders}).
 *
 * <p>Depends on the generated gRPC messages and stubs only: not on the transport's TLS, the scheduler
 * node or the worker process, which call it.
 */
package dev.burst.internal.codeshipping;
