package dev.burst.internal.transport;

import dev.burst.BurstException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ClusterCredentialsTest {
    @TempDir
    static Path shared;
    static Path dir;
    static ClusterCredentials first;

    @BeforeAll
    static void generate() {
        dir = shared.resolve("schedulers").resolve("localhost-8786");
        first = ClusterCredentials.forScheduler(dir); // generates the key store with keytool
    }

    @Test
    void generatesAKeyStoreAndATokenFile() throws IOException {
        assertThat(first.canServe()).isTrue();
        assertThat(first.certificateSha256()).matches("[0-9a-f]{64}");
        assertThat(Base64.getUrlDecoder().decode(first.token())).hasSize(32);
        assertThat(first.tokenFile()).isEqualTo(dir.resolve("token"));
        assertThat(first.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(ClusterCredentials.sha256Hex(first.certificate())).isEqualTo(first.certificateSha256());
        List<String> lines = Files.readAllLines(first.tokenFile());
        assertThat(lines.getFirst()).startsWith("# Burst cluster token");
        assertThat(lines).contains("token=" + first.token(), "certificate-sha256=" + first.certificateSha256());
        assertThat(first.toString()).doesNotContain(first.token());
    }

    @Test
    void tokenFileRoundTrips() {
        ClusterCredentials client = ClusterCredentials.fromTokenFile(first.tokenFile());
        assertThat(client.token()).isEqualTo(ClusterCredentials.fromTokenFile(dir.resolve("token")).token());
        assertThat(client.certificateSha256()).isEqualTo(first.certificateSha256());
        assertThat(client.canServe()).isFalse();
        assertThat(client.keyStoreBytes()).isNull();
    }

    @Test
    void reusesTheKeyStoreWithAFreshTokenEachTime() {
        ClusterCredentials again = ClusterCredentials.forScheduler(dir);
        ClusterCredentials third = ClusterCredentials.forScheduler(dir);
        assertThat(again.certificateSha256()).isEqualTo(first.certificateSha256());
        assertThat(third.certificateSha256()).isEqualTo(first.certificateSha256());
        assertThat(again.token()).isNotEqualTo(first.token()).isNotEqualTo(third.token());
        assertThat(ClusterCredentials.fromTokenFile(dir.resolve("token")).token()).isEqualTo(third.token());
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        for (String name : List.of("token", "scheduler.p12", "scheduler.p12.password")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
                    .as(name).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("token", "scheduler.p12", "scheduler.p12.password");
        }
    }

    @Test
    void aWorkerServesWithTheSchedulersIdentity() {
        ClusterCredentials worker = ClusterCredentials.withKeyStore(first.keyStoreBytes(), first.keyStorePassword(), first.token(), null);
        assertThat(worker.canServe()).isTrue();
        assertThat(worker.certificateSha256()).isEqualTo(first.certificateSha256());
        assertThat(worker.tokenFile()).isNull();
        assertThatThrownBy(() -> ClusterCredentials.withKeyStore(first.keyStoreBytes(), "wrong", first.token(), null))
                .isInstanceOf(BurstException.class).hasMessageContaining("Cannot open the key store");
        assertThatThrownBy(() -> ClusterCredentials.withKeyStore(new byte[0], "x", "t", null))
                .hasMessageContaining("No key store bytes");
    }

    @Test
    void aWorkerServesWithTheKeyAndCertificateAsSentToo() {
        ClusterCredentials worker = ClusterCredentials.withIdentity(first.privateKeyPkcs8(), first.certificateDer(), first.token(), "client-only");
        assertThat(worker.canServe()).isTrue();
        assertThat(worker.certificateSha256()).isEqualTo(first.certificateSha256());
        assertThat(worker.privateKeyPkcs8()).isEqualTo(first.privateKeyPkcs8());
        assertThat(worker.clientOnlyToken()).isEqualTo("client-only");
        byte[] garbled = first.privateKeyPkcs8();
        garbled[garbled.length / 2] ^= 0x5a;
        assertThatThrownBy(() -> ClusterCredentials.withIdentity(java.util.Arrays.copyOf(garbled, 10), first.certificateDer(), first.token(), null))
                .isInstanceOf(BurstException.class).hasMessageContaining("Cannot read the cluster's TLS identity");
        assertThatThrownBy(() -> ClusterCredentials.withIdentity(new byte[0], first.certificateDer(), "t", null))
                .hasMessageContaining("No private key or certificate");
    }

    @Test
    void badTokenFilesSayWhatIsWrong() throws IOException {
        Path missing = shared.resolve("nope");
        assertThatThrownBy(() -> ClusterCredentials.fromTokenFile(missing))
                .isInstanceOf(BurstException.class).hasMessageContaining("No Burst token file at " + missing);
        Path noToken = Files.writeString(shared.resolve("no-token"), "# x\ncertificate-sha256=" + "ab".repeat(32) + "\n");
        assertThatThrownBy(() -> ClusterCredentials.fromTokenFile(noToken)).hasMessageContaining("no 'token=' line");
        Path noPin = Files.writeString(shared.resolve("no-pin"), "token=abc\n");
        assertThatThrownBy(() -> ClusterCredentials.fromTokenFile(noPin)).hasMessageContaining("no 'certificate-sha256=' line");
        Path badPin = Files.writeString(shared.resolve("bad-pin"), "token=abc\ncertificate-sha256=xyz\n");
        assertThatThrownBy(() -> ClusterCredentials.fromTokenFile(badPin)).hasMessageContaining("64 hex digits");
        Path garbage = Files.writeString(shared.resolve("garbage"), "token abc\n");
        assertThatThrownBy(() -> ClusterCredentials.fromTokenFile(garbage)).hasMessageContaining("Line 1").hasMessageContaining("key=value");
    }

    @Test
    void aClientTokenFileCarriesTheGatewayRoute() throws IOException {
        assertThat(first.route()).isEmpty();
        assertThat(ClusterCredentials.fromTokenFile(first.tokenFile()).route()).isEmpty();
        Path file = shared.resolve("gateway-client").resolve("c-3f9a2b7c");
        assertThat(ClusterCredentials.writeClientTokenFile(file, first.token(), first.certificateSha256().toUpperCase(),
                "c-3f9a2b7c.cluster.burst")).isEqualTo(file);
        ClusterCredentials client = ClusterCredentials.fromTokenFile(file);
        assertThat(client.token()).isEqualTo(first.token());
        assertThat(client.certificateSha256()).isEqualTo(first.certificateSha256());
        assertThat(client.route()).contains("c-3f9a2b7c.cluster.burst");
        assertThat(client.toString()).contains("route=c-3f9a2b7c.cluster.burst").doesNotContain(first.token());
        assertThat(Files.readAllLines(file)).contains("route=c-3f9a2b7c.cluster.burst");
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        }
    }

    @Test
    void badClientTokenFileValuesAreRefusedByName() throws IOException {
        Path file = shared.resolve("refused");
        String pin = first.certificateSha256();
        assertThatThrownBy(() -> ClusterCredentials.writeClientTokenFile(file, "two words", pin, "c-1.cluster.burst"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> ClusterCredentials.writeClientTokenFile(file, "t", "abc", "c-1.cluster.burst"))
                .hasMessageContaining("64 hex digits").hasMessageContaining("abc");
        assertThatThrownBy(() -> ClusterCredentials.writeClientTokenFile(file, "t", pin, "Cluster_1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Cluster_1'");
        assertThatThrownBy(() -> ClusterCredentials.writeClientTokenFile(file, "t", pin, "c-1"))
                .hasMessageContaining("no dot");
        assertThat(file).doesNotExist();
        Path badRoute = Files.writeString(shared.resolve("bad-route"),
                "token=abc\ncertificate-sha256=" + "ab".repeat(32) + "\nroute=C 1.cluster\n");
        assertThatThrownBy(() -> ClusterCredentials.fromTokenFile(badRoute))
                .isInstanceOf(BurstException.class)
                .hasMessageContaining(badRoute.toString())
                .hasMessageContaining("bad route= line")
                .hasMessageContaining("'C 1.cluster'");
    }

    @Test
    void forAddressPrefersTheEnvironmentAndSaysWhereItLooked() {
        BurstAddress address = BurstAddress.parse("burst://localhost:8786");
        assertThat(ClusterCredentials.defaultDir(address))
                .isEqualTo(dev.burst.BurstDirectories.fromEnvironment().schedulers().resolve("localhost-8786"));
        assertThat(ClusterCredentials.forAddress(address, null, dir).token())
                .isEqualTo(ClusterCredentials.fromTokenFile(dir.resolve("token")).token());
        assertThat(ClusterCredentials.forAddress(address, dir.resolve("token").toString(), shared.resolve("elsewhere"))
                .certificateSha256()).isEqualTo(first.certificateSha256());
        Path empty = shared.resolve("empty");
        assertThatThrownBy(() -> ClusterCredentials.forAddress(address, null, empty))
                .isInstanceOf(BurstException.class)
                .hasMessageContaining(empty.resolve("token").toString())
                .hasMessageContaining("bin/burst scheduler")
                .hasMessageContaining("BURST_TOKEN_FILE");
        assertThatThrownBy(() -> ClusterCredentials.forAddress(address, "/no/such/token", empty))
                .hasMessageContaining("/no/such/token (from BURST_TOKEN_FILE)");
    }

    @Test
    void aFailingKeytoolIsReportedWithItsOutput() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path broken = Files.createDirectories(shared.resolve("broken"));
        Path keytool = Files.writeString(broken.resolve("keytool"), "#!/bin/sh\necho 'keytool error: boom' >&2\nexit 3\n");
        Files.setPosixFilePermissions(keytool, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> ClusterCredentials.generateKeyStore(keytool, broken.resolve("scheduler.p12"),
                broken.resolve("scheduler.p12.password")))
                .isInstanceOf(BurstException.class)
                .hasMessageContaining("keytool failed (exit 3)")
                .hasMessageContaining("keytool error: boom");
        try (var files = Files.list(broken)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keytool");
        }
    }

    @Test
    void findsKeytoolNextToTheRunningJava() {
        assertThat(ClusterCredentials.keytool()).isExecutable();
    }
}
