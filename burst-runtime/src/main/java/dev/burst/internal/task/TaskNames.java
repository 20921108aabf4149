package dev.burst.internal.task;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Derives a task prefix (the name tasks are grouped by for learned durations and in stories) from a
 * function object: the method name of a method reference, {@code enclosingMethod.lambdaN} for a
 * lambda, the simple class name for an ordinary class. Computed once per function class: the
 * name does not depend on captured values, and all instances of one lambda share a class.
 */
public final class TaskNames {
    private static final ConcurrentHashMap<Class<?>, String> CACHE = new ConcurrentHashMap<>();

    private TaskNames() {
    }

    public static String prefixOf(Object function) {
        Class<?> type = function.getClass();
        String name = CACHE.get(type);
        if (name == null) {
            name = derive(function);
            CACHE.putIfAbsent(type, name);
        }
        return name;
    }

    private static String derive(Object function) {
        Class<?> type = function.getClass();
        if (!type.isSynthetic() && !type.isHidden()) {
            String simple = type.getSimpleName();
            return simple.isEmpty() ? "task" : simple;
        }
        try {
            // Serializable lambdas carry their target method in their serialized form.
            Method m = type.getDeclaredMethod("writeReplace");
            m.setAccessible(true);
            SerializedLambda sl = (SerializedLambda) m.invoke(function);
            String method = sl.getImplMethodName();
            if (method.startsWith("lambda$")) {
                // lambda$main$0 -> main.lambda0; serializable ones add a hash: lambda$main$9f2c$1 -> main.lambda1
                String[] parts = method.split("\\$");
                return parts.length >= 3 ? parts[1] + ".lambda" + parts[parts.length - 1] : "lambda";
            }
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "lambda";
        }
    }
}
