package dev.burst;

/** A submitted graph was refused: a dependency cycle, a missing dependency, a duplicate key. */
public final class InvalidGraphException extends BurstException {
    public InvalidGraphException(String message) {
        super(message);
    }
}
