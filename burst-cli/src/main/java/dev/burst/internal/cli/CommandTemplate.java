package dev.burst.internal.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command of {@code burst map} with GNU parallel's replacement strings, turned into one argv
 * per input.
 *
 * <p>Replacement strings, in any argv element and any number of times:
 * <ul>
 *   <li>{@code {}} the input (with several {@code :::} groups: their values joined by a space),</li>
 *   <li>{@code {.}} the input without its extension ({@code dir/a.csv} → {@code dir/a}),</li>
 *   <li>{@code {/}} its basename ({@code a.csv}), {@code {//}} its directory ({@code dir}),
 *       {@code {/.}} its basename without extension ({@code a}),</li>
 *   <li>{@code {#}} the job number, from 1 in input order,</li>
 *   <li>{@code {n}}, {@code {n.}}, {@code {n/}}, {@code {n//}}, {@code {n/.}}: the same for the
 *       value of the n-th {@code :::} group (from 1).</li>
 * </ul>
 * A template with no replacement string gets the input's values appended as last arguments, as GNU
 * parallel does. Other text in braces ({@code {foo}}, {@code ${HOME}} inside {@code sh -c}) is left
 * as it is, except {@code {n}} forms, which always mean an input group.
 *
 * @param words the program and its arguments, with replacement strings
 */
record CommandTemplate(List<String> words) {
    /** {@code {#}}, or an optional group number followed by an optional modifier, in braces. */
    private static final Pattern REPLACEMENT = Pattern.compile("\\{(?:(#)|(\\d*)(|\\.|/|//|/\\.))}");

    CommandTemplate {
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("no command given: write it after the options, e.g. burst map -- echo {} ::: a b");
        }
        if (words.get(0).isBlank()) {
            throw new IllegalArgumentException("the program to run is blank: '" + words.get(0) + "'");
        }
    }

    /** True when some word holds a replacement string; otherwise inputs are appended. */
    boolean hasReplacement() {
        return words.stream().anyMatch(w -> REPLACEMENT.matcher(w).find());
    }

    /**
     * Checks that every {@code {n}} names one of {@code groups} input groups, so that a typo fails
     * before anything runs.
     */
    void checkGroupReferences(int groups) {
        for (String w : words) {
            Matcher m = REPLACEMENT.matcher(w);
            while (m.find()) {
                if (m.group(2) != null && !m.group(2).isEmpty()) {
                    int n = Integer.parseInt(m.group(2));
                    if (n < 1 || n > groups) {
                        throw new IllegalArgumentException("{" + m.group(2) + m.group(3) + "} in '" + w + "' refers to input group "
                                + n + ", but there " + (groups == 1 ? "is 1 group" : "are " + groups + " groups")
                                + " (values after each :::, or standard input as group 1)");
                    }
                }
            }
        }
    }

    /** The argv for {@code input}. */
    List<String> expand(JobInput input) {
        List<String> argv = new ArrayList<>(words.size() + input.values().size());
        boolean replaced = false;
        for (String w : words) {
            Matcher m = REPLACEMENT.matcher(w);
            StringBuilder sb = new StringBuilder();
            boolean found = false;
            while (m.find()) {
                found = true;
                m.appendReplacement(sb, Matcher.quoteReplacement(replacement(m, input)));
            }
            m.appendTail(sb);
            replaced |= found;
            argv.add(sb.toString());
        }
        if (!replaced) {
            argv.addAll(input.values());
        }
        return argv;
    }

    private static String replacement(Matcher m, JobInput input) {
        if (m.group(1) != null) {
            return Long.toString(input.number());
        }
        String group = m.group(2);
        String value = group.isEmpty() ? String.join(" ", input.values()) : input.values().get(Integer.parseInt(group) - 1);
        return switch (m.group(3)) {
            case "." -> withoutExtension(value);
            case "/" -> basename(value);
            case "//" -> dirname(value);
            case "/." -> withoutExtension(basename(value));
            default -> value;
        };
    }

    /** GNU parallel's {@code {/}}: the part after the last slash. */
    static String basename(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** GNU parallel's {@code {//}}: the part before the last slash, or "." when there is none. */
    static String dirname(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : path.substring(0, slash);
    }

    /** GNU parallel's {@code {.}}: without the last extension of the last path element (not a leading dot). */
    static String withoutExtension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash + 1 ? path.substring(0, dot) : path;
    }
}
