package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * The REST API's description: its OpenAPI 3.1 document at {@code /api/openapi.json}, and Swagger UI
 * showing it at {@code /api/docs}.
 *
 * <p>Design note. The document is written by hand ({@code openapi.json} beside this class): no
 * OpenAPI plugin is published for Javalin 7, and annotations on every handler would say less than
 * the document does. Tests keep it true: every route the server registers is in it with every
 * method, and every answer the REST tests receive validates against its schema for that path,
 * method and status. Swagger UI comes from its WebJar ({@code org.webjars:swagger-ui}) and is served
 * here, under {@code /api/docs/}, with nothing from a CDN; the page starts it from a script file of
 * its own, so the page needs no inline script and takes a strict Content-Security-Policy.
 */
final class ApiDocs {
    /** The document's path on the classpath, beside this class. */
    static final String DOCUMENT = "openapi.json";
    static final String DOCUMENT_PATH = "/api/openapi.json";
    static final String PAGE_PATH = "/api/docs";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String INIT_JS = """
            // Swagger UI on this gateway's OpenAPI document (served by the gateway, as is Swagger UI itself).
            window.addEventListener("load", () => {
              window.ui = SwaggerUIBundle({url: "%s", dom_id: "#swagger-ui", deepLinking: true});
            });
            """.formatted(DOCUMENT_PATH);
    /** The files the page loads: what Swagger UI's WebJar holds that the page needs, and the start script. */
    private static final Map<String, String> ASSETS = Map.of("swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8", "init.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png");

    private final byte[] document;
    private final String swaggerUiVersion;

    ApiDocs() {
        this.document = document();
        this.swaggerUiVersion = swaggerUiVersion();
    }

    void install(JavalinConfig config) {
        var r = config.routes;
        r.get(DOCUMENT_PATH, ctx -> ctx.contentType("application/json").result(document));
        r.get(PAGE_PATH, this::page);
        r.get(PAGE_PATH + "/{file}", this::asset);
    }

    /** The document as served: the hand-written one with this gateway's version. */
    static byte[] document() {
        try (InputStream in = ApiDocs.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is missing beside " + ApiDocs.class.getName() + " (a broken build)");
            }
            ObjectMapper json = new ObjectMapper();
            ObjectNode doc = (ObjectNode) json.readTree(in);
            ((ObjectNode) doc.get("info")).put("version", Version.VERSION);
            return json.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DOCUMENT, e);
        }
    }

    private static String swaggerUiVersion() {
        try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("Swagger UI's WebJar (org.webjars:swagger-ui) is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Swagger UI's WebJar", e);
        }
    }

    private void page(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
        ctx.header("X-Frame-Options", "DENY");
        ctx.contentType("text/html; charset=utf-8").result("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Burst gateway REST API</title>
                  <link rel="stylesheet" href="%1$s/swagger-ui.css">
                  <link rel="icon" type="image/png" href="%1$s/favicon-32x32.png">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%1$s/swagger-ui-bundle.js"></script>
                  <script src="%1$s/init.js"></script>
                </body>
                </html>
                """.formatted(PAGE_PATH));
    }

    private void asset(Context ctx) {
        String file = ctx.pathParam("file");
        String type = ASSETS.get(file);
        if (type == null) {
            throw ApiException.notFound("no such file of the API's docs: they are " + String.join(", ", new java.util.TreeSet<>(ASSETS.keySet())));
        }
        if (file.equals("init.js")) {
            ctx.contentType(type).result(INIT_JS.getBytes(StandardCharsets.UTF_8));
            return;
        }
        InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(WEBJAR + swaggerUiVersion + "/" + file);
        if (in == null) {
            throw new IllegalStateException("Swagger UI's WebJar " + swaggerUiVersion + " has no " + file);
        }
        ctx.header("Cache-Control", "max-age=86400");
        ctx.contentType(type).result(in);
    }
}
