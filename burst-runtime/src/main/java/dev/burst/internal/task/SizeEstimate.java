package dev.burst.internal.task;

import java.util.Collection;
import java.util.Map;

/**
 * A cheap, shallow guess at how many bytes a result occupies, for placement and memory accounting.
 * It never walks object graphs: a wrong guess costs a slightly worse placement, a deep walk would
 * cost time on every task.
 */
public final class SizeEstimate {
    private SizeEstimate() {
    }

    public static long of(Object value) {
        return switch (value) {
            case null -> 8;
            case Number n -> 16;
            case Boolean b -> 16;
            case Character c -> 16;
            case CharSequence s -> 40 + 2L * s.length();
            case byte[] a -> 16 + a.length;
            case int[] a -> 16 + 4L * a.length;
            case long[] a -> 16 + 8L * a.length;
            case double[] a -> 16 + 8L * a.length;
            case float[] a -> 16 + 4L * a.length;
            case Object[] a -> 16 + 16L * a.length;
            case Collection<?> c -> 48 + 24L * c.size();
            case Map<?, ?> m -> 64 + 48L * m.size();
            default -> 64;
        };
    }
}
