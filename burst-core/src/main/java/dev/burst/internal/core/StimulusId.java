package dev.burst.internal.core;

/**
 * What caused an event, carried on every event so that a task's story can say why each
 * transition happened. Kept as a kind plus a sequence number so that creating one costs no
 * string building on the hot path.
 */
public record StimulusId(String kind, long seq) {
    @Override
    public String toString() {
        return kind + "-" + seq;
    }
}
