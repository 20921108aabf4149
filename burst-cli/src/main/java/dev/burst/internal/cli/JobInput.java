package dev.burst.internal.cli;

import java.util.List;

/**
 * One input of {@code burst map}: the values that fill the command template (one per {@code :::}
 * group) and its job number.
 *
 * @param number the job number, from 1 in input order ({@code {#}})
 * @param values one value per input group
 */
record JobInput(long number, List<String> values) {
    JobInput {
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("job " + number + " has no input values");
        }
    }

    /** The input as a user wrote it, for reports. */
    String display() {
        return String.join(" ", values);
    }
}
