package dev.burst;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Named amounts of resources: {@code cpu}, {@code gpu}, {@code memory} (bytes), or any label such
 * as {@code ssd}. A worker offers some; a task asks for some, and runs only on a worker that has
 * them free. Immutable.
 *
 * <pre>{@code
 * Resources.of("gpu", 1).and("memory", 8e9)
 * }</pre>
 */
public final class Resources {
    private static final Resources NONE = new Resources(Map.of());
    private final Map<String, Double> amounts;

    private Resources(Map<String, Double> amounts) {
        this.amounts = amounts;
    }

    public static Resources none() {
        return NONE;
    }

    public static Resources of(String name, double amount) {
        return NONE.and(name, amount);
    }

    /** These resources plus {@code amount} of {@code name} (replacing an earlier amount of it). */
    public Resources and(String name, double amount) {
        Objects.requireNonNull(name, "resource name must not be null");
        if (name.isBlank() || !name.equals(name.strip()) || name.contains(",") || name.contains("=")) {
            throw new IllegalArgumentException("resource name must be a non-blank label without spaces, ',' or '=', got '" + name + "'");
        }
        if (!(amount >= 0) || Double.isInfinite(amount)) {
            throw new IllegalArgumentException("resource '" + name + "' must be a finite amount >= 0, got " + amount);
        }
        TreeMap<String, Double> m = new TreeMap<>(amounts);
        m.put(name, amount);
        return new Resources(Collections.unmodifiableMap(m));
    }

    public double get(String name) {
        return amounts.getOrDefault(name, 0.0);
    }

    public Map<String, Double> asMap() {
        return amounts;
    }

    public boolean isEmpty() {
        return amounts.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Resources r && r.amounts.equals(amounts);
    }

    @Override
    public int hashCode() {
        return amounts.hashCode();
    }

    @Override
    public String toString() {
        return amounts.toString();
    }
}
