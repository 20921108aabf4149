package dev.burst;

import java.io.Serializable;

/** A task body with two inputs, each the result of another task. */
@FunctionalInterface
public interface TaskBiFunction<A, B, R> extends Serializable {
    R apply(A first, B second) throws Exception;
}
