package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who a JupyterHub API token belongs to, as the hub says: {@code GET <hub api>/user} with the
 * token (what Dask Gateway's {@code JupyterHubAuthenticator} asks). Answers are kept for a short
 * while, by the token's SHA-256 (never the token), so a notebook's calls do not each cost a round
 * trip to the hub, and a token the hub revoked stops working within that while.
 */
final class JupyterHubTokens {
    private static final Logger log = LoggerFactory.getLogger(JupyterHubTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration KEEP = Duration.ofSeconds(60);
    private static final int MAX_KEPT = 10_000;

    /** The hub's answer: the user's name, or empty for a token it does not know. */
    private record Answer(Optional<String> user, Instant until) {
    }

    private final URI api;
    private final InstantSource clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    JupyterHubTokens(URI api, InstantSource clock) {
        this.api = api;
        this.clock = clock;
    }

    /**
     * The hub user {@code token} belongs to, or empty when the hub does not know it.
     *
     * @throws ApiException 503 when the hub cannot be asked
     */
    Optional<String> userOf(String token) {
        String key = sha256(token);
        Instant now = clock.instant();
        Answer known = answers.get(key);
        if (known != null && now.isBefore(known.until())) {
            return known.user();
        }
        Optional<String> user = ask(token);
        if (answers.size() > MAX_KEPT) {
            answers.clear();
        }
        answers.put(key, new Answer(user, now.plus(KEEP)));
        return user;
    }

    private Optional<String> ask(String token) {
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(api + "/user")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "token " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiException(503, "cannot ask JupyterHub at " + api + " about the token: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while asking JupyterHub about the token");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403 || r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            log.warn("JupyterHub at {} answered {} to a token check: {}", api, r.statusCode(), r.body());
            throw new ApiException(503, "JupyterHub at " + api + " answered " + r.statusCode() + " to a token check");
        }
        try {
            JsonNode n = JSON.readTree(r.body());
            String kind = n.path("kind").asText("user");
            if (!kind.equals("user") || !n.hasNonNull("name")) {
                return Optional.empty(); // a service's token: not a user of the gateway
            }
            return Optional.of(n.get("name").asText());
        } catch (IOException e) {
            throw new ApiException(503, "JupyterHub at " + api + " gave an answer that is not JSON");
        }
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
