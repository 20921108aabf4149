package dev.burst.internal.task;

import dev.burst.TaskBiFunction;
import dev.burst.TaskCallable;
import dev.burst.TaskFunction;
import dev.burst.TaskGraph;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A task's payload as data: the user's function and how its parameters are filled. It is what an
 * in-process worker runs directly and what a client serializes for remote workers (the function
 * and the {@link TaskArguments} separately, so that a {@code map}'s function is serialized once and
 * decoded once per worker).
 *
 * @param function  a {@link TaskCallable}, {@link TaskFunction}, {@link TaskBiFunction} or
 *                  {@link TaskGraph.Body}
 * @param arguments constants and dependency positions, one per parameter
 */
public record TaskCall(Object function, TaskArguments arguments) {
    public TaskCall {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** Runs the function on {@code inputs}, the results of the task's dependencies in dependency order. */
    public Object invoke(Object[] inputs) throws Exception {
        return invoke(function, arguments, inputs);
    }

    /** Like {@link #invoke(Object[])}, for a function and arguments decoded separately. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object invoke(Object function, TaskArguments arguments, Object[] inputs) throws Exception {
        Object[] args = arguments.fill(inputs);
        return switch (function) {
            case TaskCallable c -> c.call();
            case TaskFunction f -> f.apply(args[0]);
            case TaskBiFunction f -> f.apply(args[0], args[1]);
            case TaskGraph.Body b -> b.apply(Arrays.asList(args));
            default -> throw new IllegalArgumentException("not a task function: " + function.getClass().getName());
        };
    }

    /**
     * One entry per parameter: {@code inputIndex[i] >= 0} takes dependency result number
     * {@code inputIndex[i]}, otherwise the parameter is {@code constants[i]}.
     */
    public record TaskArguments(Object[] constants, int[] inputIndex) implements Serializable {
        private static final TaskArguments NONE = new TaskArguments(new Object[0], new int[0]);

        public TaskArguments {
            if (constants.length != inputIndex.length) {
                throw new IllegalArgumentException(constants.length + " constants for " + inputIndex.length + " parameters");
            }
        }

        public static TaskArguments none() {
            return NONE;
        }

        /** One constant parameter (a map's input). */
        public static TaskArguments constant(Object value) {
            return new TaskArguments(new Object[] {value}, new int[] {-1});
        }

        /** Dependency results, in the order given. */
        public static TaskArguments inputs(int... inputIndex) {
            return new TaskArguments(new Object[inputIndex.length], inputIndex);
        }

        /** True when every parameter is a dependency result (no constants): such arguments repeat a lot. */
        public boolean isAllInputs() {
            for (int i : inputIndex) {
                if (i < 0) {
                    return false;
                }
            }
            return true;
        }

        Object[] fill(Object[] inputs) {
            Object[] args = new Object[inputIndex.length];
            for (int i = 0; i < args.length; i++) {
                args[i] = inputIndex[i] < 0 ? constants[i] : inputs[inputIndex[i]];
            }
            return args;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TaskArguments a && Arrays.equals(constants, a.constants) && Arrays.equals(inputIndex, a.inputIndex);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(constants) + Arrays.hashCode(inputIndex);
        }

        @Override
        public String toString() {
            return "TaskArguments" + List.of(Arrays.toString(constants), Arrays.toString(inputIndex));
        }
    }
}
