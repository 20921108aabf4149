package dev.burst.internal.cli;

import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.gateway.GatewayClusterInfo;
import dev.burst.gateway.GatewayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code burst cluster}: the caller's clusters on a gateway: new, list, scale, adapt, stop. The
 * token comes from {@code --token-file} or {@code $BURST_GATEWAY_TOKEN}.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Make, list, scale and stop your clusters on a gateway.",
        subcommands = {ClusterCommand.New.class, ClusterCommand.ListClusters.class, ClusterCommand.Scale.class,
                ClusterCommand.Adapt.class, ClusterCommand.Stop.class})
final class ClusterCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** {@code --gateway URL} and {@code --token-file FILE}, shared by every gateway command. */
    static final class GatewayOptions {
        /** The environment variable that names the gateway when {@code --gateway} is not given. */
        static final String URL_ENV = "BURST_GATEWAY_URL";

        @Option(names = "--gateway", paramLabel = "URL", description = "The gateway, https://host:port (default: $BURST_GATEWAY_URL).")
        String url;

        @Option(names = "--token-file", paramLabel = "FILE", description = "The file holding your API token "
                + "(default: $BURST_GATEWAY_TOKEN).")
        Path tokenFile;

        Gateway connect(CommandSpec spec) {
            String u = url != null ? url : System.getenv(URL_ENV);
            if (u == null || u.isBlank()) {
                throw new ParameterException(spec.commandLine(), "no gateway: give --gateway https://host:port or set BURST_GATEWAY_URL");
            }
            Gateway.Builder b = Gateway.builder(u);
            if (tokenFile != null) {
                b.tokenFile(tokenFile);
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Make a cluster and print its name, address and token file. It is detached: it outlives this "
                    + "command, until you stop it or it is idle for the gateway's idle timeout.")
    static final class New implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        GatewayOptions gateway = new GatewayOptions();
        @Option(names = "--workers", paramLabel = "N", description = "A fixed number of workers (default: adaptive).")
        Integer workers;
        @Option(names = "--adapt", paramLabel = "MIN:MAX", description = "Adaptive between MIN and MAX workers.")
        String adapt;
        @Option(names = "--threads", paramLabel = "N", description = "Cores per worker.")
        Integer threads;
        @Option(names = "--memory", paramLabel = "SIZE", description = "Memory per worker, e.g. 4g.")
        String memory;
        @Option(names = "--gpus", paramLabel = "N", description = "GPUs per worker.")
        Integer gpus;
        @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A backend option (repeatable).")
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();

        @Override
        public Integer call() {
            ClusterOptions.Builder o = ClusterOptions.builder().detached(true);
            try {
                if (workers != null && adapt != null) {
                    throw new IllegalArgumentException("give --workers or --adapt, not both");
                }
                if (workers != null) {
                    o.workers(workers);
                }
                if (adapt != null) {
                    String[] mm = adapt.split(":");
                    if (mm.length != 2) {
                        throw new IllegalArgumentException("--adapt wants MIN:MAX, like 0:8; got '" + adapt + "'");
                    }
                    o.adapt(Integer.parseInt(mm[0].strip()), Integer.parseInt(mm[1].strip()));
                }
                if (threads != null) {
                    o.threads(threads);
                }
                if (memory != null) {
                    o.memory(memory);
                }
                if (gpus != null) {
                    o.gpus(gpus);
                }
                options.forEach(o::option);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            try (Gateway gw = gateway.connect(spec)) {
                GatewayCluster c;
                try {
                    c = gw.newCluster(o.build());
                } catch (GatewayException e) {
                    if (e.status() == 422 && workers != null && e.getMessage().contains("workers asked for")) {
                        throw new GatewayException(e.status(), e.getMessage() + " (--workers N, or --adapt MIN:MAX)");
                    }
                    throw e;
                }
                PrintWriter out = spec.commandLine().getOut();
                if (c.lastMessage() != null) {
                    spec.commandLine().getErr().println(spec.qualifiedName() + ": " + c.lastMessage());
                }
                out.println("cluster:    " + c.name());
                out.println("address:    " + c.address());
                out.println("token file: " + c.tokenFile());
                out.println("connect:    Client.connect(\"" + c.address() + "\", Path.of(\"" + c.tokenFile() + "\"))");
                c.dashboard().ifPresent(d -> out.println("dashboard:  " + d));
                out.println("stop:       burst cluster stop " + c.name());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your running clusters (--all: stopped ones too).")
    static final class ListClusters implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        GatewayOptions gateway = new GatewayOptions();
        @Option(names = "--all", description = "Also the clusters that stopped, with why.")
        boolean all;

        @Override
        public Integer call() {
            try (Gateway gw = gateway.connect(spec)) {
                List<GatewayClusterInfo> clusters = gw.clusters(all);
                PrintWriter out = spec.commandLine().getOut();
                if (clusters.isEmpty()) {
                    out.println(all ? "no clusters" : "no running clusters (burst cluster new makes one)");
                    return 0;
                }
                out.printf(Locale.ROOT, "%-14s %-8s %7s %5s  %-19s %12s %12s  %s%n", "name", "state", "workers", "max", "created",
                        "alloc core-s", "busy core-s", "stopped");
                for (GatewayClusterInfo c : clusters) {
                    out.printf(Locale.ROOT, "%-14s %-8s %7d %5d  %-19s %12.1f %12.1f  %s%n", c.name(), c.state(), c.workers(),
                            c.maxWorkers(), CliTime.format(c.createdAt()),
                            c.allocatedCoreSeconds(), c.busyCoreSeconds(),
                            c.stopReason() == null ? "" : c.stopReason() + (c.stopDetail() == null ? "" : ": " + c.stopDetail()));
                }
            }
            return 0;
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Keep exactly N workers (fewer if a limit binds; it says so).")
    static final class Scale implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        GatewayOptions gateway = new GatewayOptions();
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "N")
        int count;

        @Override
        public Integer call() {
            try (Gateway gw = gateway.connect(spec)) {
                GatewayCluster c = gw.connect(name);
                int granted = c.scale(count);
                spec.commandLine().getOut().println(name + ": " + granted + (granted == 1 ? " worker" : " workers")
                        + (c.lastMessage() == null ? "" : " (" + c.lastMessage() + ")"));
            }
            return 0;
        }
    }

    @Command(name = "adapt", mixinStandardHelpOptions = true, description = "Let workers come and go with the work between MIN and MAX.")
    static final class Adapt implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        GatewayOptions gateway = new GatewayOptions();
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "MIN")
        int minimum;
        @Parameters(index = "2", paramLabel = "MAX")
        int maximum;

        @Override
        public Integer call() {
            try (Gateway gw = gateway.connect(spec)) {
                GatewayCluster c = gw.connect(name);
                int max = c.adapt(minimum, maximum);
                spec.commandLine().getOut().println(name + ": adaptive between " + Math.min(minimum, max) + " and " + max + " workers"
                        + (c.lastMessage() == null ? "" : " (" + c.lastMessage() + ")"));
            }
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a cluster of yours.")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        GatewayOptions gateway = new GatewayOptions();
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Gateway gw = gateway.connect(spec)) {
                GatewayClusterInfo stopped = gw.connect(name).stop();
                spec.commandLine().getOut().printf(Locale.ROOT, "%s stopped: %.1f core-s allocated, %.1f busy%n", name,
                        stopped.allocatedCoreSeconds(), stopped.busyCoreSeconds());
            }
            return 0;
        }
    }
}
