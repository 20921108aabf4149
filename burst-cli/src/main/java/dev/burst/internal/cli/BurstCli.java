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
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Infrastructure and input problems are messages, not stack traces.
                    if (e instanceof dev.burst.BurstException || e instanceof java.io.IOException
                            || e instanceof dev.burst.internal.gateway.ledger.LedgerException
                            || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                        cmd.getErr().println("burst " + cmd.getCommandName() + ": " + e.getMessage());
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
