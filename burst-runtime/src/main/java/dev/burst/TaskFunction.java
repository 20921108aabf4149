package dev.burst;

import java.io.Serializable;

/** A task body with one input: a value given to {@code map}, or the result of another task. */
@FunctionalInterface
public interface TaskFunction<A, R> extends Serializable {
    R apply(A input) throws Exception;
}
