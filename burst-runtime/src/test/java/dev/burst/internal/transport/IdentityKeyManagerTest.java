package dev.burst.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The key manager a TLS server takes the cluster's identity through: the key types it answers to,
 * and a real handshake with the JDK's TLS engine in TLS 1.2 and 1.3 (the Netty/OpenSSL path is
 * {@code TransportTest}'s), the client pinning the certificate as Burst's clients do.
 */
class IdentityKeyManagerTest {
    @TempDir
    static Path dir;
    static ClusterCredentials credentials;

    @BeforeAll
    static void generate() {
        credentials = ClusterCredentials.forScheduler(dir);
    }

    @Test
    void answersToItsOwnKeyTypeOnly() {
        IdentityKeyManager m = new IdentityKeyManager(credentials.privateKey(), credentials.certificate());
        assertThat(credentials.privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(m.matches("EC")).isTrue();
        assertThat(m.matches("EC_EC")).isTrue();
        assertThat(m.matches("ECDHE_ECDSA")).isTrue();
        assertThat(m.matches("EC_RSA")).as("an EC key in an RSA-signed certificate: not ours").isFalse();
        assertThat(m.matches("RSA")).isFalse();
        assertThat(m.matches(null)).isFalse();
        assertThat(m.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(m.getCertificateChain(m.chooseEngineServerAlias("EC", null, null))).containsExactly(credentials.certificate());
        assertThat(m.getClientAliases("EC", null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aClientPinningTheCertificateCompletesAHandshake(String protocol) throws Exception {
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(new KeyManager[] {new IdentityKeyManager(credentials.privateKey(), credentials.certificate())}, null,
                new SecureRandom());
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {new Transport.PinnedCertificate(credentials.certificateSha256(), "test")},
                new SecureRandom());
        SSLEngine s = server.createSSLEngine();
        s.setUseClientMode(false);
        s.setEnabledProtocols(new String[] {protocol});
        SSLEngine c = client.createSSLEngine("localhost", 443);
        c.setUseClientMode(true);
        c.setEnabledProtocols(new String[] {protocol});

        handshake(c, s);

        assertThat(c.getSession().getProtocol()).isEqualTo(protocol);
        assertThat(c.getSession().getPeerCertificates()[0]).isEqualTo(credentials.certificate());
    }

    /** Runs both engines' handshakes against each other in memory, at most 200 steps. */
    private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
        SSLSession session = client.getSession();
        ByteBuffer clientOut = ByteBuffer.allocate(session.getPacketBufferSize());
        ByteBuffer serverOut = ByteBuffer.allocate(session.getPacketBufferSize());
        ByteBuffer clientApp = ByteBuffer.allocate(session.getApplicationBufferSize());
        ByteBuffer serverApp = ByteBuffer.allocate(session.getApplicationBufferSize());
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 200; step++) {
            boolean clientDone = done(client);
            boolean serverDone = done(server);
            if (clientDone && serverDone) {
                return;
            }
            client.wrap(empty, clientOut);
            server.wrap(empty, serverOut);
            clientOut.flip();
            serverOut.flip();
            SSLEngineResult r1 = server.unwrap(clientOut, serverApp);
            SSLEngineResult r2 = client.unwrap(serverOut, clientApp);
            clientOut.compact();
            serverOut.compact();
            runTasks(client);
            runTasks(server);
            assertThat(r1.getStatus()).isNotEqualTo(SSLEngineResult.Status.CLOSED);
            assertThat(r2.getStatus()).isNotEqualTo(SSLEngineResult.Status.CLOSED);
        }
        throw new AssertionError("the handshake did not finish in 200 steps");
    }

    private static boolean done(SSLEngine e) {
        SSLEngineResult.HandshakeStatus h = e.getHandshakeStatus();
        return h == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || h == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine e) {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
    }
}
