package dev.burst.internal.jupyter;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel process Jupyter starts ({@code kernel.json} from {@link KernelSpec}): one argument,
 * the connection file. When Jupyter shuts the kernel down, restarts it or culls it, this JVM
 * exits, and with it every cluster its cells made: in-process clusters with the JVM, worker
 * processes when their scheduler's connection drops, gateway clusters by the gateway's no-client
 * timeout.
 */
public final class BurstKernelMain {
    private BurstKernelMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: BurstKernelMain CONNECTION_FILE (Jupyter passes it as {connection_file})");
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no Jupyter connection file at " + file);
        }
        JupyterConnection connection = new JupyterConnection(KernelConnectionProperties.parse(Files.readString(file)));
        BurstKernel kernel = BurstKernel.builder().build();
        kernel.onStartup();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        System.exit(0); // non-daemon threads of clusters never closed must not keep a finished kernel alive
    }
}
