package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Errors Jetty answers itself, before a request reaches the API's routes (a URI it refuses, such
 * as one with an encoded NUL; a malformed request line or header): {@code {"error": "..."}} like
 * every other error of the API, instead of Jetty's HTML page, which echoes the URI.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REASON = 200;

    @Override
    public boolean errorPageForMethod(String method) {
        return true; // DELETE and PUT too: a body saying what was wrong, not an empty one
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty may close after such an error without saying so; a client must not reuse the connection.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        fields.put(HttpHeader.CONNECTION, "close");
        return ByteBuffer.wrap(body(status, reason));
    }

    /** Jetty's reason, printable and short; never the cause's stack. */
    static byte[] body(int status, String reason) {
        String why = reason == null || reason.isBlank() || reason.equals(HttpStatus.getMessage(status))
                ? status == 400 ? "the URI, the request line or a header is malformed (e.g. an encoded control character)"
                : HttpStatus.getMessage(status) : reason;
        why = why.replaceAll("[^\\x20-\\x7e]", "?");
        if (why.length() > MAX_REASON) {
            why = why.substring(0, MAX_REASON) + "...";
        }
        String what = status == 400 ? "bad request" : "HTTP " + status;
        try {
            return JSON.writeValueAsBytes(Map.of("error", what + ": " + why));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
