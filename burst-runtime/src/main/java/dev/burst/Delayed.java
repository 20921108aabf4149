package dev.burst;

import java.util.List;
import java.util.Objects;

/**
 * A lazy task graph node: a function applied to the results of other nodes, run when
 * {@link Client#compute(Delayed)} is called. Nodes are immutable and may be shared; a node used
 * twice in one graph runs once.
 *
 * <pre>{@code
 * Delayed<Long> a = Delayed.call(Work::load, Delayed.value(1));
 * Delayed<Long> b = Delayed.call(Work::load, Delayed.value(2));
 * long total = client.compute(Delayed.call(Work::sum, a, b)).get();
 * }</pre>
 */
public final class Delayed<T> {
    /** The function (null for a constant), its inputs, and the constant itself. */
    final Object function;
    final List<Delayed<?>> inputs;
    final Object constant;
    final TaskOptions options;

    private Delayed(Object function, List<Delayed<?>> inputs, Object constant, TaskOptions options) {
        this.function = function;
        this.inputs = inputs;
        this.constant = constant;
        this.options = options;
    }

    /** A task with no inputs. */
    public static <R> Delayed<R> call(TaskCallable<? extends R> function) {
        Objects.requireNonNull(function, "function must not be null");
        return new Delayed<>(function, List.of(), null, TaskOptions.defaults());
    }

    /** A task applied to the result of {@code input}. */
    public static <A, R> Delayed<R> call(TaskFunction<? super A, ? extends R> function, Delayed<? extends A> input) {
        Objects.requireNonNull(function, "function must not be null");
        Objects.requireNonNull(input, "input must not be null (use Delayed.value(null) for a null constant)");
        return new Delayed<>(function, List.of(input), null, TaskOptions.defaults());
    }

    /** A task applied to the results of {@code first} and {@code second}. */
    public static <A, B, R> Delayed<R> call(TaskBiFunction<? super A, ? super B, ? extends R> function,
                                            Delayed<? extends A> first, Delayed<? extends B> second) {
        Objects.requireNonNull(function, "function must not be null");
        Objects.requireNonNull(first, "first input must not be null (use Delayed.value(null) for a null constant)");
        Objects.requireNonNull(second, "second input must not be null (use Delayed.value(null) for a null constant)");
        return new Delayed<>(function, List.of(first, second), null, TaskOptions.defaults());
    }

    /** A constant input; it is passed to the tasks that use it, not run as a task of its own. */
    public static <T> Delayed<T> value(T value) {
        return new Delayed<>(null, List.of(), value, TaskOptions.defaults());
    }

    /** This node with the given options (resources, priority, retries, name). */
    public Delayed<T> withOptions(TaskOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        if (function == null) {
            throw new IllegalStateException("a Delayed.value constant is not a task and takes no options");
        }
        return new Delayed<>(function, inputs, constant, options);
    }

    boolean isConstant() {
        return function == null;
    }

    @Override
    public String toString() {
        return isConstant() ? "Delayed.value(" + constant + ")" : "Delayed.call(" + function + ", " + inputs.size() + " inputs)";
    }
}
