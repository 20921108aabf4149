package dev.burst.internal.gateway.server;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The gateway's OpenAPI document as a test sees it: loaded with swagger-parser (which must find
 * nothing wrong with it), and answers checked against it, their JSON bodies validated with a JSON
 * Schema 2020-12 validator (OpenAPI 3.1's dialect) against the schema the document gives for that
 * path, method and status.
 *
 * <p>{@link RawHttp} checks every answer it gets under {@code /api/} and {@code /metrics} through
 * {@link #assertMatchesOpenApi}, so every REST test checks the document as a side effect. The
 * gateway's HTML pages are not part of the API and not described.
 */
final class OpenApiContract {
    /** Where the document is said to live, for the validator's {@code $ref}s: never fetched. */
    private static final String BASE = "https://burst.invalid/api/openapi.json";
    private static final OpenApiContract INSTANCE = new OpenApiContract(new String(ApiDocs.document(), StandardCharsets.UTF_8));

    final OpenAPI api;
    private final SchemaRegistry schemas;
    private final Map<String, Schema> byPointer = new ConcurrentHashMap<>();

    private OpenApiContract(String document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIParser().readContents(document, null, options);
        assertThat(parsed.getMessages()).as("swagger-parser's findings in %s", ApiDocs.DOCUMENT).isEmpty();
        assertThat(parsed.getOpenAPI()).as("the document parsed").isNotNull();
        this.api = parsed.getOpenAPI();
        this.schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b
                .schemas(Map.of(BASE, document))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    static OpenApiContract get() {
        return INSTANCE;
    }

    /** Whether the document describes {@code path}: the API, not the gateway's pages. */
    static boolean describes(String path) {
        return path.startsWith("/api/") || path.equals("/metrics");
    }

    /** Every operation in the document, as {@code METHOD /path/{param}}. */
    Set<String> operations() {
        Set<String> out = new TreeSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet().forEach(m -> out.add(m.name() + " " + path)));
        return out;
    }

    /** Asserts an answer the gateway gave to {@code method pathAndQuery} is as the document describes it. */
    static void assertMatchesOpenApi(String method, String pathAndQuery, RawHttp.Answer a) {
        get().check(method, pathAndQuery, a.status(), a.contentType(), a.allow(), a.body());
    }

    /** The same with the parts of an answer: {@code allow} is its Allow header (null: none). */
    static void assertMatchesOpenApi(String method, String pathAndQuery, int status, String contentType, String allow, String body) {
        get().check(method, pathAndQuery, status, contentType, allow, body);
    }

    private void check(String method, String pathAndQuery, int status, String contentType, String allow, String body) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        String what = method + " " + pathAndQuery + " -> " + status + " " + abbreviated(body);
        if (!describes(path)) {
            return;
        }
        if (status == 400 && body.startsWith("{\"error\":\"bad request: ")) {
            // The HTTP server refused the request before any route (JsonErrorHandler): a malformed URI or header.
            validate(what, "#/components/schemas/Error", body);
            return;
        }
        String template = template(path);
        if (template == null) {
            assertThat(status).as("a path the document does not have must be unknown to the gateway: %s", what).isEqualTo(404);
            validate(what, "#/components/schemas/Error", body);
            return;
        }
        PathItem item = api.getPaths().get(template);
        Map<PathItem.HttpMethod, Operation> ops = item.readOperationsMap();
        Operation op = ops.get(PathItem.HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)));
        if (op == null) {
            assertThat(status).as("a method %s does not have: %s", template, what).isEqualTo(405);
            Set<String> documented = ops.keySet().stream().map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
            assertThat(allow).as("Allow of %s", what).isNotNull();
            assertThat(new TreeSet<>(List.of(allow.split(",\\s*")))).as("Allow of %s", what).isEqualTo(documented);
            validate(what, "#/components/responses/MethodNotAllowed/content/application~1json/schema", body);
            return;
        }
        String code = Integer.toString(status);
        ApiResponse response = op.getResponses().get(code);
        if (response == null) {
            fail("%s %s does not document status %d (it documents %s): %s", method, template, status, op.getResponses().keySet(), what);
        }
        String pointer;
        if (response.get$ref() != null) {
            String name = response.get$ref().substring(response.get$ref().lastIndexOf('/') + 1);
            response = api.getComponents().getResponses().get(name);
            pointer = "#/components/responses/" + name;
        } else {
            pointer = "#/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + code;
        }
        Content content = response.getContent();
        if (content == null || content.isEmpty()) {
            assertThat(body).as("no body documented: %s", what).isEmpty();
            return;
        }
        String type = contentType == null ? "" : contentType.split(";")[0].strip();
        assertThat(content.keySet()).as("the content type of %s", what).contains(type);
        if (type.equals("application/json")) {
            validate(what, pointer + "/content/application~1json/schema", body);
        }
    }

    private void validate(String what, String pointer, String body) {
        Schema schema = byPointer.computeIfAbsent(pointer, p -> schemas.getSchema(SchemaLocation.of(BASE + p)));
        var errors = schema.validate(body, InputFormat.JSON);
        assertThat(errors).as("the body of %s against %s", what, pointer).isEmpty();
    }

    /** The document's path template that {@code path} falls under, or null. */
    String template(String path) {
        String[] segments = path.split("/", -1);
        String best = null;
        long bestParams = Long.MAX_VALUE;
        for (String t : api.getPaths().keySet()) {
            String[] ts = t.split("/", -1);
            if (ts.length != segments.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < ts.length && match; i++) {
                match = ts[i].startsWith("{") ? !segments[i].isEmpty() : ts[i].equals(segments[i]);
            }
            long params = java.util.Arrays.stream(ts).filter(x -> x.startsWith("{")).count();
            if (match && params < bestParams) { // a literal segment wins over a parameter, as in the router
                best = t;
                bestParams = params;
            }
        }
        return best;
    }

    /** A JSON pointer's token for a path: {@code ~} and {@code /} escaped, then what a URI fragment may not hold. */
    private static String escape(String template) {
        return template.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }

    private static String abbreviated(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }
}
