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
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Answer a = new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Allow").orElse(null));
        if (accept == null || accept.contains("json")) { // what a script gets is the API's answer; a browser gets a page
            OpenApiContract.assertMatchesOpenApi("GET", path, a);
        }
        return a;
    }

    /** As the gateway's pages send it: the token in the sign-in cookie, {@code fromPage} with their header. */
    Answer sendWithCookie(String method, String path, String token, String body, boolean fromPage) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Cookie", ApiRoutes.SESSION_COOKIE + "=" + token);
        if (fromPage) {
            b.header(ApiRoutes.PAGE_HEADER, "1");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Answer a = new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Allow").orElse(null));
        OpenApiContract.assertMatchesOpenApi(method, path, a);
        return a;
    }

    /** As {@link #send}, with {@code authorization} as the whole {@code Authorization} header (null: none). */
    Answer sendAuthorized(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Answer a = new Answer(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Allow").orElse(null));
        OpenApiContract.assertMatchesOpenApi(method, path, a);
        return a;
    }
}
