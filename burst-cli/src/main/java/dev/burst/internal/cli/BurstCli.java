package dev.burst.internal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/burst}: the command line entry point. */
@Command(name = "burst", mixinStandardHelpOptions = true, version = "burst 0.1.0-SNAPSHOT",
        description = "Elastic parallel compute for the JVM.",
        subcommands = {DemoCommand.class, MapCommand.class, UsageCommand.class, GatewayCommand.class, ClusterCommand.class,
                JupyterCommand.class, SchedulerServeCommand.class, WorkerServeCommand.class,
                CommandLine.HelpCommand.class})
public final class BurstCli implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new BurstCli());
        // burst map, like GNU parallel: the first word that is not an option starts the command, so the
        // command's own options (echo -n {}) and inputs (::: -x) are not taken for burst's.
        cli.getSubcommands().get("map").setStopAtPositional(true);
        return cli
                .setParameterExceptionHandler((e, ignored) -> {
                    // One line that names the problem and where help is, as git and GNU tools do: the
                    // whole usage text buried the message under forty lines of options.
                    CommandLine cmd = e.getCommandLine();
                    String name = cmd.getCommandSpec().qualifiedName();
                    cmd.getErr().println(name + ": " + e.getMessage());
                    if (e instanceof CommandLine.UnmatchedArgumentException u) {
                        CommandLine.UnmatchedArgumentException.printSuggestions(u, cmd.getErr());
                    }
                    cmd.getErr().println("Try '" + name + " --help' for more information.");
                    return cmd.getCommandSpec().exitCodeOnInvalidInput();
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Infrastructure and input problems are messages, not stack traces.
                    if (e instanceof dev.burst.BurstException || e instanceof java.io.IOException
                            || e instanceof dev.burst.internal.gateway.ledger.LedgerException
                            || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                        return 1;
                    }
                    throw e;
                })
                .execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }
}
