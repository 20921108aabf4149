package dev.burst;

import java.io.Serializable;

/**
 * A task body without inputs. Serializable so that it can travel to worker processes; a lambda or
 * method reference assigned to this type is serializable too.
 */
@FunctionalInterface
public interface TaskCallable<R> extends Serializable {
    R call() throws Exception;
}
