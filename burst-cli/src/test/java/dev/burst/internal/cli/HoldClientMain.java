package dev.burst.internal.cli;

import dev.burst.Client;

import java.nio.file.Path;

/** A client JVM that connects to a cluster, runs one task, says so, and holds on until it is killed. */
public final class HoldClientMain {
    private HoldClientMain() {
    }

    public static void main(String[] args) throws Exception {
        Client client = Client.connect(args[0], Path.of(args[1]));
        int answer = client.submit(() -> 6 * 7).get();
        System.out.println("connected " + answer);
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
