package dev.burst.internal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/burst}: the command line entry point. */
@Command(name = "burst", mixinStandardHelpOptions = true, version = "burst 0.1.0-SNAPSHOT",
        description = "Elastic parallel compute for the JVM.",
        subcommands = {DemoCommand.class, UsageCommand.class, SchedulerServeCommand.class, WorkerServeCommand.class,
                CommandLine.HelpCommand.class})
public final class BurstCli implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return new CommandLine(new BurstCli())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Infrastructure and input problems are messages, not stack traces.
                    if (e instanceof dev.burst.BurstException || e instanceof java.io.IOException
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
