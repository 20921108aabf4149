package dev.burst.internal.core;

import java.util.HashMap;
import java.util.Map;

/**
 * What is free of a fixed supply of resources, as tasks take and give back their requests.
 * Mutable and single-threaded; {@code cpu} is kept apart so the common request (one cpu and nothing
 * else) costs no map work.
 */
public final class ResourcePool {
    private final ResourceAmounts total;
    private double freeCpu;
    private final Map<String, Double> freeOther = new HashMap<>();

    public ResourcePool(ResourceAmounts total) {
        this.total = total;
        this.freeCpu = total.get(ResourceAmounts.CPU);
        total.amounts().forEach((k, v) -> {
            if (!k.equals(ResourceAmounts.CPU)) {
                freeOther.put(k, v);
            }
        });
    }

    public double freeCpu() {
        return freeCpu;
    }

    public boolean fits(ResourceAmounts request) {
        if (request.get(ResourceAmounts.CPU) > freeCpu + 1e-9) {
            return false;
        }
        if (request == ResourceAmounts.ONE_CPU) {
            return true;
        }
        for (Map.Entry<String, Double> e : request.amounts().entrySet()) {
            if (!e.getKey().equals(ResourceAmounts.CPU) && freeOther.getOrDefault(e.getKey(), 0.0) < e.getValue() - 1e-9) {
                return false;
            }
        }
        return true;
    }

    public void acquire(ResourceAmounts request) {
        if (!fits(request)) {
            throw new IllegalStateException("request " + request + " does not fit free " + snapshot());
        }
        adjust(request, -1);
    }

    public void release(ResourceAmounts request) {
        adjust(request, +1);
    }

    private void adjust(ResourceAmounts request, int sign) {
        freeCpu += sign * request.get(ResourceAmounts.CPU);
        if (request == ResourceAmounts.ONE_CPU) {
            return;
        }
        for (Map.Entry<String, Double> e : request.amounts().entrySet()) {
            if (!e.getKey().equals(ResourceAmounts.CPU)) {
                freeOther.merge(e.getKey(), sign * e.getValue(), Double::sum);
            }
        }
    }

    /** What is free now, as an immutable value. */
    public ResourceAmounts snapshot() {
        Map<String, Double> m = new HashMap<>(freeOther);
        m.put(ResourceAmounts.CPU, freeCpu);
        m.replaceAll((k, v) -> Math.abs(v) < 1e-9 ? 0.0 : v);
        return new ResourceAmounts(m);
    }

    public ResourceAmounts total() {
        return total;
    }
}
