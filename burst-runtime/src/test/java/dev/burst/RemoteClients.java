package dev.burst;

import dev.burst.internal.transport.RawConnections;

import java.nio.file.Path;

/** Ways to reach a scheduler that the public API does not offer, for tests of refusals. */
final class RemoteClients {
    private RemoteClients() {
    }

    static Client connect(String address, Path tokenFile) {
        return Client.connect(address, tokenFile);
    }

    /** Opens a control stream whose hello claims {@code version}; throws with the scheduler's answer. */
    static void helloWithVersion(String address, Path tokenFile, int version) throws Exception {
        RawConnections.helloWithVersion(address, tokenFile, version);
    }
}
