package dev.burst.internal.runtime;

/**
 * The payload of a task as the runtime carries it: the user's function bound to its constant
 * arguments, applied to the results of the task's dependencies (in dependency order).
 */
@FunctionalInterface
public interface Invocation {
    Object invoke(Object[] inputs) throws Exception;
}
