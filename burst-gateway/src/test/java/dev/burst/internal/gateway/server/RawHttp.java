package dev.burst.internal.gateway.server;

import dev.burst.internal.transport.Transport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Raw requests to a test gateway (bad tokens, bad bodies): status and body as the gateway sent them.
 * Every answer under the API's paths is checked against the gateway's OpenAPI document
 * ({@link OpenApiContract}) before a test sees it.
 */
final class RawHttp {
    private final HttpClient http;
    private final String url;

    RawHttp(GatewayServer server) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[]{new Transport.PinnedCertificate(server.certificateSha256(), "test gateway")}, null);
        this.http = HttpClient.newBuilder().sslContext(ssl).build();
        this.url = server.url();
    }

    /** An answer; {@code allow} is its Allow header, or null. */
    record Answer(int status, String body, String contentType, String allow) {
    }

    Answer send(String method, String path, String token, String body) throws Exception {
        return sendAuthorized(method, path, token == null ? null : "Bearer " + token, body);
    }

    /** A GET as a browser sends it ({@code accept}, e.g. {@code text/html}) or a script does (null). */
    Answer get(String path, String token, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token);
        if (accept != null) {
            b.header("Accept", accept);
        }
        // what a script gets is the API's answer, checked against the document; a browser gets a page
        return exchange(b, "GET", path, null, accept == null || accept.contains("json"));
    }

    /** As the gateway's pages send it: the token in the sign-in cookie, {@code fromPage} with their header. */
    Answer sendWithCookie(String method, String path, String token, String body, boolean fromPage) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Cookie", ApiRoutes.SESSION_COOKIE + "=" + token);
        if (fromPage) {
            b.header(ApiRoutes.PAGE_HEADER, "1");
        }
        return exchange(b, method, path, body, true);
    }

    /** As {@link #send}, with {@code authorization} as the whole {@code Authorization} header (null: none). */
    Answer sendAuthorized(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return exchange(b, method, path, body, true);
    }

    /** Sends {@code b} as {@code method} with {@code body}; {@code checked}: the answer must match the OpenAPI document. */
    private Answer exchange(HttpRequest.Builder b, String method, String path, String body, boolean checked) throws Exception {
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Answer a = new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Allow").orElse(null));
        if (checked) {
            OpenApiContract.assertMatchesOpenApi(method, path, a);
        }
        return a;
    }
}
