package dev.burst.internal.core;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Named amounts of resources ({@code cpu}, {@code gpu}, {@code memory} or any label): what a
 * worker has, or what a task needs while it runs. Immutable; amounts are non-negative finite
 * numbers. Every task needs at least one {@code cpu} (one executor thread), see
 * {@link #withDefaultCpu()}.
 */
public record ResourceAmounts(Map<String, Double> amounts) {
    public static final String CPU = "cpu";
    public static final ResourceAmounts NONE = new ResourceAmounts(Map.of());
    public static final ResourceAmounts ONE_CPU = new ResourceAmounts(Map.of(CPU, 1.0));

    public ResourceAmounts {
        Objects.requireNonNull(amounts, "amounts");
        for (Map.Entry<String, Double> e : amounts.entrySet()) {
            double v = e.getValue();
            if (e.getKey() == null || e.getKey().isBlank()) {
                throw new IllegalArgumentException("resource name must not be blank");
            }
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("resource '" + e.getKey() + "' must be a finite number >= 0, got " + v);
            }
        }
        amounts = Map.copyOf(amounts);
    }

    public static ResourceAmounts of(Map<String, Double> amounts) {
        return amounts.isEmpty() ? NONE : new ResourceAmounts(amounts);
    }

    public double get(String name) {
        Double v = amounts.get(name);
        return v == null ? 0 : v;
    }

    public boolean isEmpty() {
        return amounts.isEmpty();
    }

    /** This request with {@code cpu=1} added when it names no cpu: every task occupies a thread. */
    public ResourceAmounts withDefaultCpu() {
        if (amounts.containsKey(CPU)) {
            return this;
        }
        if (amounts.isEmpty()) {
            return ONE_CPU;
        }
        TreeMap<String, Double> m = new TreeMap<>(amounts);
        m.put(CPU, 1.0);
        return new ResourceAmounts(m);
    }

    /** True when every amount asked for here is available in {@code supply}. */
    public boolean fitsIn(ResourceAmounts supply) {
        if (this == ONE_CPU) {
            return supply.get(CPU) >= 1.0;
        }
        for (Map.Entry<String, Double> e : amounts.entrySet()) {
            if (supply.get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return new TreeMap<>(amounts).toString();
    }
}
