package dev.burst.internal.cli;

import dev.burst.internal.jupyter.KernelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code burst jupyter install | uninstall}: Burst's Java kernel for Jupyter. */
@Command(name = "jupyter", mixinStandardHelpOptions = true, description = "Register Burst's Java kernel with Jupyter, or remove it.",
        subcommands = {JupyterCommand.Install.class, JupyterCommand.Uninstall.class})
final class JupyterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Where the kernel goes: {@code --kernels-dir}, else Jupyter's user kernels directory. */
    static final class Where {
        @Option(names = "--name", description = "The kernel's name (default: ${DEFAULT-VALUE}).")
        String name = KernelSpec.DEFAULT_NAME;
        @Option(names = "--kernels-dir", paramLabel = "DIR", description = "Jupyter's kernels directory (default: the user's, "
                + "$JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels).")
        Path kernelsDir;

        Path dir() {
            return kernelsDir != null ? kernelsDir : KernelSpec.userKernelsDir(System.getenv(), Path.of(System.getProperty("user.home")));
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Register the kernel 'Java (Burst)': JShell cells on this JDK with Burst's jars, whose clusters end "
                    + "with the kernel.")
    static final class Install implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws Exception {
            List<Path> cp = new ArrayList<>();
            for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    cp.add(Path.of(e));
                }
            }
            Path java = Path.of(ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            Path dir = KernelSpec.install(where.dir(), where.name, java, cp);
            spec.commandLine().getOut().println("installed kernel " + where.name + " (Java (Burst), Java " + Runtime.version().feature()
                    + ") in " + dir);
            return 0;
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true, description = "Remove the kernel.")
    static final class Uninstall implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws Exception {
            Path dir = where.dir();
            if (!KernelSpec.uninstall(dir, where.name)) {
                spec.commandLine().getErr().println("burst jupyter uninstall: no kernel " + where.name + " in " + dir);
                return 1;
            }
            spec.commandLine().getOut().println("removed kernel " + where.name + " from " + dir);
            return 0;
        }
    }
}
