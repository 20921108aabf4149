/**
 * A task as it is called: the function with its arguments ({@link dev.burst.internal.task.TaskCall}),
 * the context of the executor thread that runs it ({@link dev.burst.internal.task.ExecutorThreadContext}),
 * task-prefix names, result size estimates and the bounded output of commands.
 *
 * <p>Depends on the public task interfaces and burst-core only: no gRPC, protobuf, sockets or
 * scheduler classes, so that the embedded worker, the worker process and the client share it.
 */
package dev.burst.internal.task;
