package dev.burst.internal.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The positional words of {@code burst map} split the way GNU parallel does: the command template,
 * then groups of input values, each group after a {@code :::}.
 *
 * <p>Several groups give every combination (the cartesian product), the last group varying fastest:
 * {@code ::: a b ::: 1 2} → {@code a 1}, {@code a 2}, {@code b 1}, {@code b 2}. Without any
 * {@code :::} the inputs come from standard input, one per line.
 *
 * @param template the command template (words before the first {@code :::})
 * @param groups   the values of each {@code :::} group, in order; empty when there is no {@code :::}
 */
record MapArguments(CommandTemplate template, List<List<String>> groups) {
    static final String SEPARATOR = ":::";

    MapArguments {
        groups = groups.stream().map(List::copyOf).toList();
    }

    /** Splits {@code words} at each {@code :::}; throws naming the problem when the command is missing. */
    static MapArguments parse(List<String> words) {
        List<String> command = new ArrayList<>();
        List<List<String>> groups = new ArrayList<>();
        List<String> current = command;
        for (String w : words) {
            if (w.equals(SEPARATOR)) {
                current = new ArrayList<>();
                groups.add(current);
            } else {
                current.add(w);
            }
        }
        return new MapArguments(new CommandTemplate(command), groups);
    }

    /** True when the inputs are given on the command line (there is a {@code :::}). */
    boolean inputsOnCommandLine() {
        return !groups.isEmpty();
    }

    /** Every combination of the groups' values, in GNU parallel's order, numbered from 1. */
    List<JobInput> commandLineInputs() {
        long total = 1;
        for (List<String> g : groups) {
            total *= g.size();
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the ::: groups give more than " + (Integer.MAX_VALUE - 8) + " combinations");
            }
        }
        if (groups.isEmpty()) {
            total = 0;
        }
        List<JobInput> inputs = new ArrayList<>((int) total);
        int[] index = new int[groups.size()];
        for (long n = 1; n <= total; n++) {
            List<String> values = new ArrayList<>(groups.size());
            for (int g = 0; g < groups.size(); g++) {
                values.add(groups.get(g).get(index[g]));
            }
            inputs.add(new JobInput(n, values));
            for (int g = groups.size() - 1; g >= 0; g--) { // odometer: the last group varies fastest
                if (++index[g] < groups.get(g).size()) {
                    break;
                }
                index[g] = 0;
            }
        }
        return inputs;
    }

    /** One input per non-empty line of {@code in} (UTF-8; a trailing carriage return is dropped). */
    static List<JobInput> linesOf(InputStream in) throws IOException {
        List<JobInput> inputs = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (!line.isEmpty()) {
                inputs.add(new JobInput(inputs.size() + 1, List.of(line)));
            }
        }
        return inputs;
    }
}
