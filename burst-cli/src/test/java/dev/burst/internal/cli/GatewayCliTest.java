package dev.burst.internal.cli;

import dev.burst.internal.gateway.ledger.StopReason;
import dev.burst.internal.gateway.server.GatewayServer;
import dev.burst.internal.gateway.server.GatewaySettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin's and the user's commands against a running gateway, each as a process of its own:
 * {@code gateway user add|list|remove}, {@code gateway token new}, {@code cluster new|list|scale|stop},
 * {@code map --gateway}, {@code usage --gateway}.
 */
class GatewayCliTest {
    @TempDir
    static Path dir;
    static GatewayServer gateway;
    static Path data;

    @BeforeAll
    static void start() {
        data = dir.resolve("data");
        gateway = GatewayServer.start(GatewaySettings.builder(data).port(0).spareProcesses(0).defaultMemory("256m").build());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static Map<String, String> userEnv(String token) {
        Map<String, String> env = new HashMap<>();
        env.put("BURST_HOME", dir.resolve("home").toString());
        env.put("BURST_GATEWAY_URL", gateway.url());
        env.put("BURST_GATEWAY_CERT_SHA256", gateway.certificateSha256());
        env.put("BURST_GATEWAY_TOKEN", token);
        return env;
    }

    static String token(CliProcess.Result r) {
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).as("one line 'token: ...'").hasSize(1);
        Matcher m = Pattern.compile("token: (burst_[A-Za-z0-9_-]{43})").matcher(r.out().strip());
        assertThat(m.matches()).as(r.out()).isTrue();
        return m.group(1);
    }

    @Test
    void anAdminAddsAUserWhoMakesScalesUsesAndStopsClustersFromTheCommandLine() throws Exception {
        Map<String, String> admin = Map.of("BURST_HOME", dir.resolve("admin-home").toString());
        String token = token(CliProcess.run(admin, dir, "gateway", "user", "add", "alice", "--data", data.toString(),
                "--max-clusters", "3", "--max-cores", "2", "--budget-core-seconds", "100000"));
        CliProcess.Result list = CliProcess.run(admin, dir, "gateway", "user", "list", "--data", data.toString());
        assertThat(list.out()).contains("alice").contains("max-clusters 3").contains("max-cores 2");
        CliProcess.Result changed = CliProcess.run(admin, dir, "gateway", "user", "limits", "alice", "--data", data.toString(),
                "--max-cores", "3");
        assertThat(changed.exit()).as(changed.err()).isZero();
        assertThat(changed.out()).contains("max-clusters 3").contains("max-cores 3");
        CliProcess.Result nobody = CliProcess.run(admin, dir, "gateway", "user", "limits", "nobody", "--data", data.toString(),
                "--max-cores", "4");
        assertThat(nobody.exit()).isNotZero();
        assertThat(nobody.err()).contains("no user 'nobody'");

        Map<String, String> alice = userEnv(token);
        CliProcess.Result made = CliProcess.run(alice, dir, "cluster", "new", "--workers", "1", "--memory", "256m");
        assertThat(made.exit()).as(made.err()).isZero();
        Matcher name = Pattern.compile("cluster: +(c-[0-9a-f]{10})").matcher(made.out());
        assertThat(name.find()).as(made.out()).isTrue();
        String cluster = name.group(1);
        assertThat(made.out()).contains("address:    " + gateway.burstAddress());

        assertThat(CliProcess.run(alice, dir, "cluster", "list").out()).contains(cluster).contains("running");
        CliProcess.Result scaled = CliProcess.run(alice, dir, "cluster", "scale", cluster, "20");
        assertThat(scaled.out()).contains(cluster + ": 3 workers").contains("max-cores 3"); // the changed limit
        assertThat(CliProcess.run(alice, dir, "cluster", "scale", cluster, "1").out()).contains(cluster + ": 1 worker");

        CliProcess.Result map = CliProcess.run(alice, dir, "map", "--gateway", gateway.url(), "--memory-per-worker", "256m",
                "--max-workers", "2", "--", "echo", "hello-{}", ":::", "a", "b", "c");
        assertThat(map.exit()).as(map.err()).isZero();
        assertThat(map.out().lines().sorted().toList()).containsExactly("hello-a", "hello-b", "hello-c");
        assertThat(map.err()).contains("running on cluster c-").contains("3 commands").contains("core-s")
                .contains("(3 tasks)") // the gateway ledger's count, not a 0 of the client's
                .contains("dashboard at " + gateway.url() + "/clusters/c-");
        // the map's own cluster was stopped at its end, by the user
        assertThat(gateway.database().clusters().ofUser(gateway.database().accounts().user("alice").orElseThrow().id(), true))
                .filteredOn(c -> !c.name().equals(cluster)).singleElement()
                .satisfies(c -> assertThat(c.stopReason()).isEqualTo(StopReason.USER));

        CliProcess.Result stopped = CliProcess.run(alice, dir, "cluster", "stop", cluster);
        assertThat(stopped.out()).contains(cluster + " stopped");
        CliProcess.Result usage = CliProcess.run(alice, dir, "usage", "--gateway", gateway.url());
        assertThat(usage.exit()).as(usage.err()).isZero();
        assertThat(usage.out()).contains(cluster).contains("user").contains("total:");

        String second = token(CliProcess.run(admin, dir, "gateway", "token", "new", "alice", "--data", data.toString(),
                "--expires-in", "30d"));
        assertThat(CliProcess.run(userEnv(second), dir, "cluster", "list").exit()).isZero();
        CliProcess.Result removed = CliProcess.run(admin, dir, "gateway", "user", "remove", "alice", "--data", data.toString());
        assertThat(removed.out()).contains("removed user alice");
        CliProcess.Result refused = CliProcess.run(alice, dir, "cluster", "list");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("user 'alice' was removed");
        assertThat(Files.exists(dir.resolve("home/gateways/known-certificates"))).isFalse(); // the pin came from the environment
    }

    @Test
    void limitsClampAnAdaptiveMaximumRefuseAFixedSizeWithTheFlagsAndMessagesNameTheProblem() throws Exception {
        Map<String, String> admin = Map.of("BURST_HOME", dir.resolve("admin-home").toString());
        String token = token(CliProcess.run(admin, dir, "gateway", "user", "add", "bob", "--data", data.toString(),
                "--max-clusters", "1", "--max-cores", "2"));
        Map<String, String> bob = userEnv(token);

        CliProcess.Result fixed = CliProcess.run(bob, dir, "cluster", "new", "--workers", "4", "--memory", "256m");
        assertThat(fixed.exit()).isEqualTo(1);
        assertThat(fixed.err()).startsWith("burst cluster new: ").contains("4 workers asked for, 2 fit")
                .contains("ask for at most 2 workers").contains("--adapt MIN:MAX");

        CliProcess.Result adaptive = CliProcess.run(bob, dir, "cluster", "new", "--adapt", "0:4", "--memory", "256m");
        assertThat(adaptive.exit()).as(adaptive.err()).isZero();
        assertThat(adaptive.err()).contains("maximum clamped: 4 workers asked for, 2 fit").contains("max-cores 2");
        Matcher name = Pattern.compile("cluster: +(c-[0-9a-f]{10})").matcher(adaptive.out());
        assertThat(name.find()).as(adaptive.out()).isTrue();
        String cluster = name.group(1);
        assertThat(adaptive.out()).contains("dashboard:  " + gateway.url() + "/clusters/" + cluster + "/");
        Path tokenFile = dir.resolve("home/gateways/clusters").resolve(cluster).resolve("token");
        assertThat(tokenFile).exists();

        CliProcess.Result second = CliProcess.run(bob, dir, "cluster", "new", "--adapt", "0:1", "--memory", "256m");
        assertThat(second.err()).contains("max-clusters 1 reached: you have 1 cluster running");

        // BURST_GATEWAY_URL is set: usage reads the gateway's ledger, as its help says; --local reads the file
        CliProcess.Result usage = CliProcess.run(bob, dir, "usage");
        assertThat(usage.exit()).as(usage.err()).isZero();
        assertThat(usage.out()).contains("usage of bob on " + gateway.url()).contains(cluster)
                .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ").doesNotContain("T0").doesNotContain("T1");
        CliProcess.Result local = CliProcess.run(bob, dir, "usage", "--local");
        assertThat(local.exit()).as(local.err()).isZero();
        assertThat(local.out()).doesNotContain("usage of bob").contains(dir.resolve("home/usage").toString()); // this machine's file
        CliProcess.Result mixed = CliProcess.run(bob, dir, "usage", "--last", "5");
        assertThat(mixed.exit()).isEqualTo(2);
        assertThat(mixed.err()).contains("--last").contains("--local");

        CliProcess.Result stopped = CliProcess.run(bob, dir, "cluster", "stop", cluster);
        assertThat(stopped.out()).contains(cluster + " stopped");
        assertThat(tokenFile).doesNotExist();
        assertThat(tokenFile.getParent()).doesNotExist();

        // a parameter error is one line and where help is, not the whole usage text
        CliProcess.Result typo = CliProcess.run(bob, dir, "cluster", "scale", cluster);
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err().lines().toList()).containsExactly("burst cluster scale: Missing required parameter: 'N'",
                "Try 'burst cluster scale --help' for more information.");
        // a mistyped --data is an error, not a new empty gateway
        Path typoData = dir.resolve("dat");
        CliProcess.Result list = CliProcess.run(admin, dir, "gateway", "user", "list", "--data", typoData.toString());
        assertThat(list.exit()).isEqualTo(2);
        assertThat(list.err()).startsWith("burst gateway user list: --data " + typoData + ": no gateway ledger there");
        assertThat(typoData).doesNotExist();
        // an unreachable gateway says so in words
        Map<String, String> nowhere = new HashMap<>(bob);
        nowhere.put("BURST_GATEWAY_URL", "https://127.0.0.1:1/");
        CliProcess.Result refused = CliProcess.run(nowhere, dir, "cluster", "list");
        assertThat(refused.err()).startsWith("burst cluster list: cannot reach the gateway at https://127.0.0.1:1/: connection refused")
                .doesNotContain("null");
        // a wrong pin talks about the gateway, and how to fix it
        Map<String, String> wrongPin = new HashMap<>(bob);
        wrongPin.put("BURST_GATEWAY_CERT_SHA256", "ab".repeat(32));
        CliProcess.Result pinned = CliProcess.run(wrongPin, dir, "cluster", "list");
        assertThat(pinned.exit()).isEqualTo(1);
        assertThat(pinned.err()).contains("is not the gateway's at " + gateway.url()).contains("$BURST_GATEWAY_CERT_SHA256")
                .doesNotContain("cluster's").doesNotContain("key store");
    }
}
