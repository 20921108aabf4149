package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's curl examples, run as written against a real gateway: each fenced {@code bash}
 * block whose first line is {@code # curl-example: <label>} runs in its own bash, after the
 * {@code setup} block, with {@code BURST_GATEWAY_URL} and {@code BURST_GATEWAY_TOKEN} set as a user
 * exports them and {@code CLUSTER} set to the name the {@code create} example answered. Each must
 * exit 0 (curl's {@code --fail-with-body} makes an HTTP error a failure) and print the JSON the
 * API document promises for it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayReadmeCurlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BLOCK = Pattern.compile("(?m)^```bash\\n# curl-example: (\\S+)\\n(.*?)^```$", Pattern.DOTALL);

    @TempDir
    static Path dir;
    static TestGateway gw;
    static String alice;

    @BeforeAll
    static void start() {
        gw = new TestGateway(dir);
        alice = gw.addUser("alice");
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void theReadmesCurlExamplesRunAgainstAGateway() throws Exception {
        Map<String, String> blocks = examples();
        assertThat(blocks.keySet()).containsExactly("setup", "token", "list", "create", "scale", "stop", "me", "usage");
        String setup = blocks.remove("setup");
        Map<String, String> env = new LinkedHashMap<>(Map.of("BURST_GATEWAY_URL", gw.server.url(), "BURST_GATEWAY_TOKEN", alice,
                "BURST_GATEWAY_KEY_PIN", gw.server.publicKeyPin()));
        // the pin is checked: with another key's, curl refuses the gateway before it sends the token
        Map<String, String> wrongPin = new LinkedHashMap<>(env);
        wrongPin.put("BURST_GATEWAY_KEY_PIN", "sha256//" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
        assertThat(exitOf("wrong-pin", setup + "\n" + blocks.get("me"), wrongPin)).isNotZero();
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        for (var b : blocks.entrySet()) {
            JsonNode answer = run(b.getKey(), setup + "\n" + b.getValue(), env);
            answers.put(b.getKey(), answer);
            if (b.getKey().equals("create")) {
                env.put("CLUSTER", answer.get("name").asText());
            }
        }
        assertThat(answers.get("token").get("token").asText()).startsWith("burst_");
        assertThat(gw.server.database().accounts().tokens("alice")).extracting(t -> t.label()).contains("laptop");
        assertThat(answers.get("list").get("clusters").isArray()).isTrue();
        JsonNode created = answers.get("create");
        assertThat(created.get("state").asText()).isEqualTo("running");
        assertThat(created.get("workers").get("threads").asInt()).isEqualTo(2);
        assertThat(created.get("workers").get("memoryBytes").asLong()).isEqualTo(1L << 30);
        assertThat(created.get("reclaim").get("afterSecondsWithoutClient").asLong()).isEqualTo(120);
        assertThat(answers.get("scale").get("granted").asInt()).isEqualTo(1);
        assertThat(answers.get("stop").get("name").asText()).isEqualTo(created.get("name").asText());
        assertThat(answers.get("stop").get("state").asText()).isEqualTo("stopped");
        assertThat(answers.get("me").get("name").asText()).isEqualTo("alice");
        assertThat(answers.get("usage").get("user").asText()).isEqualTo("alice");
        assertThat(answers.get("usage").get("clusters")).extracting(c -> c.get("name").asText()).contains(created.get("name").asText());
        assertThat(gw.server.fleet().running()).as("the stop example stopped it").isEmpty();
    }

    /** The README's marked blocks by label, in order. */
    private static Map<String, String> examples() throws Exception {
        Path readme = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!(Files.exists(readme.resolve("README.md")) && Files.isDirectory(readme.resolve("burst-gateway")))) {
            readme = readme.getParent();
            assertThat(readme).as("the repository's README.md above " + System.getProperty("user.dir")).isNotNull();
        }
        String text = Files.readString(readme.resolve("README.md"), StandardCharsets.UTF_8);
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            assertThat(blocks.put(m.group(1), m.group(2))).as("one block labelled " + m.group(1)).isNull();
        }
        return blocks;
    }

    /** Runs one example in bash with /usr/bin/curl and returns its exit status. */
    private static int exitOf(String label, String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-e", "-o", "pipefail", "-c", script);
        pb.environment().putAll(env);
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve(label + ".out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new AssertionError("curl-example " + label + " did not end within 60 s");
        }
        return p.exitValue();
    }

    /** Runs one example in bash with /usr/bin/curl; its output must be one JSON object. */
    private static JsonNode run(String label, String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-e", "-o", "pipefail", "-c", script);
        pb.environment().putAll(env);
        pb.environment().put("PATH", "/usr/bin:/bin"); // the system's curl and openssl
        pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(label + ".err").toFile()));
        // to a file, not a pipe: the timeout below then holds even for a curl that hangs
        pb.redirectOutput(dir.resolve(label + ".out").toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new AssertionError("curl-example " + label + " did not end within 60 s; err: "
                    + Files.readString(dir.resolve(label + ".err")));
        }
        String stdout = Files.readString(dir.resolve(label + ".out"), StandardCharsets.UTF_8);
        String stderr = Files.readString(dir.resolve(label + ".err"));
        assertThat(p.exitValue()).as("curl-example %s exits 0; out: %s; err: %s", label, stdout, stderr).isZero();
        JsonNode n = JSON.readTree(stdout);
        assertThat(n.isObject()).as("curl-example %s prints a JSON object: %s", label, stdout).isTrue();
        return n;
    }
}
