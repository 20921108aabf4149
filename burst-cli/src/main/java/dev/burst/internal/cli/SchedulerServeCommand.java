package dev.burst.internal.cli;

import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.schedulernode.SchedulerNode;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code burst scheduler}: runs a scheduler until Ctrl-C. It prints its address and the token file
 * workers and clients need (a fresh token each start; the TLS certificate is kept in the same
 * directory and reused).
 */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = "Run a scheduler that workers and clients connect to (TLS, token), until Ctrl-C.")
final class SchedulerServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port = 8786;

    @Option(names = "--host", description = "Address to bind and advertise (default: ${DEFAULT-VALUE}; use this machine's "
            + "name or IP for workers on other machines).")
    String host = "127.0.0.1";

    @Option(names = "--credentials-dir", description = "Where the certificate and token file are kept "
            + "(default: ~/.burst/schedulers/<host>-<port>).")
    Path credentialsDir;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0..65535, got " + port);
        }
        ServiceLogging.forService();
        if (port != 0) {
            // Before the token file is rewritten: a second scheduler on a busy port must not
            // replace the token of the one that is running there.
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName(host))) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot listen on " + host + ":" + port + " ("
                        + e.getMessage() + "); is a scheduler already running there? Use another --port, or 0 for any free one");
            }
        }
        Path dir = credentialsDir != null ? credentialsDir
                : port == 0 ? dev.burst.BurstDirectories.fromEnvironment().schedulers().resolve(host + "-any-port-" + ProcessHandle.current().pid())
                : ClusterCredentials.defaultDir(new BurstAddress(host, port));
        ClusterCredentials credentials = ClusterCredentials.forScheduler(dir);
        Path work = Files.createTempDirectory("burst-scheduler-");
        SchedulerNode node = new SchedulerNode(host, port, credentials, SchedulerConfig.defaults(), work);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            dev.burst.internal.workerprocess.WorkerMain.deleteTree(work);
            if (port == 0 && credentialsDir == null) {
                dev.burst.internal.workerprocess.WorkerMain.deleteTree(dir); // made for this run only
            }
            stop.countDown();
        }, "burst-scheduler-shutdown"));
        System.out.println("scheduler at " + node.address());
        System.out.println("token file:  " + credentials.tokenFile());
        if (port == 0 || credentialsDir != null || !host.equals(node.address().host())) {
            System.out.println("workers and clients: export BURST_TOKEN_FILE=" + credentials.tokenFile());
        }
        System.out.println("start a worker:  bin/burst worker --scheduler " + node.address() + " --threads 4 --memory 8g");
        System.out.println("press Ctrl-C to stop");
        System.out.flush();
        stop.await();
        return 0;
    }
}
