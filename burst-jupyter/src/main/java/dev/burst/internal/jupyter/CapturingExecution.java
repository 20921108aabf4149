package dev.burst.internal.jupyter;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * JShell's direct execution (cells run in the kernel's JVM, so the clusters they make live and die
 * with it) that also keeps the last value a cell produced as an object, not only as JShell's
 * string of it: what a cluster's or a future's rich display is made from.
 */
final class CapturingExecution implements ExecutionControlProvider {
    /** The value of the last snippet run; read by the kernel right after it (same thread). */
    private volatile Object last;

    Object takeLast() {
        Object v = last;
        last = null;
        return v;
    }

    @Override
    public String name() {
        return "burst-local";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
        // Direct: on the calling thread, code as compiled. (JShell's "local" engine adds a thread and
        // stop checks so that stop() can end a runaway cell; this kernel does not interrupt cells.)
        return new DirectExecutionControl() {
            @Override
            protected String invoke(Method doit) throws Exception {
                Object value = doit.invoke(null); // its exception goes to JShell as the cell's, unchanged
                last = value;
                return valueString(value);
            }
        };
    }
}
