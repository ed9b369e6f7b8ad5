package dev.nightshift.spec.internal;

import dev.nightshift.api.spec.BuildSpec;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.spec.EgressMode;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.api.spec.PortSpec;
import dev.nightshift.api.spec.TerminalSpec;
import dev.nightshift.api.spec.RepositoryTree;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The whole reading of one environment.json: bytes to tree ({@link LocatingReader}), lenient
 * interpretation of what real files do outside the schema, JSON Schema validation
 * ({@link SchemaCheck}), the rules a schema cannot say, path rules ({@link BuildPathRules}) and
 * binding into an {@link EnvironmentSpec}.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
public final class SpecReader {
    /** The placeholder some files carry instead of a snapshot id. */
    public static final String SNAPSHOT_PLACEHOLDER = "POPULATED_FROM_SETTINGS";

    static final Set<String> ROOT_KEYS = Set.of("$schema", "name", "user", "install", "start", "terminals",
            "ports", "repositoryDependencies", "build", "image", "snapshot", "agentCanUpdateSnapshot",
            "egressMode", "egressAllowlist", "disableAllMcpServers", "mcpServerAllowlist",
            "chromeExecutablePath", "enable_testing");
    private static final Set<String> BUILD_KEYS = Set.of("dockerfile", "dockerfileContents", "context");
    private static final Set<String> TERMINAL_KEYS = Set.of("name", "command", "description");
    private static final Set<String> PORT_KEYS = Set.of("name", "port");
    private static final Set<String> MISPLACED_BUILD_KEYS = Set.of("dockerfile", "dockerfileContents", "context");

    private SpecReader() {
    }

    /** What reading produced: the spec when there is no error, and the build paths when a tree was given. */
    public record Outcome(EnvironmentSpec spec, BuildPathRules.Resolved paths) {
    }

    /** Reads {@code bytes}; problems go to {@code findings}; the spec is null when there is an error. */
    public static Outcome read(byte[] bytes, RepositoryTree tree, Findings findings) {
        JsonNode root = LocatingReader.read(bytes, findings);
        if (root == null) {
            return new Outcome(null, null);
        }
        if (!root.isObject()) {
            findings.error("", "environment.json must hold a JSON object, not " + SchemaCheck.kind(root), null);
            return new Outcome(null, null);
        }
        ObjectNode obj = (ObjectNode) root;
        Map<String, String> extensions = new java.util.LinkedHashMap<>();
        interpret(obj, extensions, findings);
        SchemaCheck.validate(obj, findings);
        checkRules(obj, findings);
        if (findings.hasErrors()) {
            return new Outcome(null, null);
        }
        EnvironmentSpec spec = bind(obj, extensions);
        BuildPathRules.Resolved paths = null;
        if (spec.build() != null) {
            // The text of the paths is always checked; the Dockerfile is looked up only when the
            // build is the base in force (a snapshot takes precedence over it).
            paths = BuildPathRules.resolve(spec.build(), "/build",
                    spec.baseKind() == dev.nightshift.api.spec.BaseKind.BUILD ? tree : null, findings);
        }
        return findings.hasErrors() ? new Outcome(null, null) : new Outcome(spec, paths);
    }

    /** Lenient step: unknown keys out (kept as extensions), bare port numbers in, placeholders out. */
    private static void interpret(ObjectNode root, Map<String, String> extensions, Findings f) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (ROOT_KEYS.contains(key)) {
                continue;
            }
            String pointer = "/" + LocationIndex.escape(key);
            if (MISPLACED_BUILD_KEYS.contains(key)) {
                f.lenient(pointer, "'" + key + "' is not a top-level key; it is not applied",
                        "it belongs in \"build\": {\"" + key + "\": ...}");
            } else {
                f.lenient(pointer, "unknown key '" + key + "'; kept for drivers, not applied by Nightshift", null);
            }
            extensions.put(key, e.getValue().toString());
            it.remove();
        }
        if (root.get("build") instanceof ObjectNode build) {
            dropUnknown(build, "/build", BUILD_KEYS, f);
        }
        if (root.get("terminals") instanceof ArrayNode terminals) {
            for (int i = 0; i < terminals.size(); i++) {
                JsonNode t = terminals.get(i);
                if (t instanceof ObjectNode o) {
                    dropUnknown(o, "/terminals/" + i, TERMINAL_KEYS, f);
                } else if (t instanceof ArrayNode group) {
                    for (int j = 0; j < group.size(); j++) {
                        if (group.get(j) instanceof ObjectNode o) {
                            dropUnknown(o, "/terminals/" + i + "/" + j, TERMINAL_KEYS, f);
                        }
                    }
                }
            }
        }
        if (root.get("ports") instanceof ArrayNode ports) {
            for (int i = 0; i < ports.size(); i++) {
                JsonNode p = ports.get(i);
                if (p.isIntegralNumber()) {
                    f.lenient("/ports/" + i, "a bare port number; read as {\"port\": " + p.asText() + "}",
                            "write {\"port\": " + p.asText() + "}");
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    o.set("port", p);
                    ports.set(i, o);
                } else if (p instanceof ObjectNode o) {
                    dropUnknown(o, "/ports/" + i, PORT_KEYS, f);
                }
            }
        }
        JsonNode snapshot = root.get("snapshot");
        if (snapshot != null && snapshot.isTextual() && SNAPSHOT_PLACEHOLDER.equals(snapshot.asText())) {
            f.lenient("/snapshot", "'" + SNAPSHOT_PLACEHOLDER + "' is a placeholder, not a snapshot id; no snapshot is used",
                    "remove \"snapshot\", or set the id of a saved snapshot");
            root.remove("snapshot");
        }
    }

    private static void dropUnknown(ObjectNode o, String pointer, Set<String> known, Findings f) {
        for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!known.contains(key)) {
                f.lenient(pointer + "/" + LocationIndex.escape(key), "unknown key '" + key + "'; ignored",
                        "known keys here: " + String.join(", ", new java.util.TreeSet<>(known)));
                it.remove();
            }
        }
    }

    /** Rules the schema does not state (or states with a poor message). */
    private static void checkRules(ObjectNode root, Findings f) {
        // Egress fails closed: a mode or a host Nightshift cannot enforce is an error, never a warning.
        JsonNode egress = root.get("egressMode");
        if (egress != null && egress.isTextual() && !EgressMode.of(egress.asText()).isKnown()) {
            f.error("/egressMode", "unknown egressMode",
                    "one of allow_all, parent_plus_network_settings, default_with_network_settings, network_settings_only");
        }
        if (root.get("egressAllowlist") instanceof ArrayNode allow) {
            for (int i = 0; i < allow.size(); i++) {
                JsonNode entry = allow.get(i);
                if (entry.isTextual()) {
                    int index = i;
                    EgressHost.problem(entry.asText()).ifPresent(problem -> f.error("/egressAllowlist/" + index,
                            "malformed allowlist entry: " + problem,
                            "a host name such as registry.example.com, or a wildcard such as *.example.com"));
                }
            }
        }
        if (root.get("build") instanceof ObjectNode build) {
            boolean file = build.has("dockerfile");
            boolean inline = build.has("dockerfileContents");
            if (file && inline) {
                f.error("/build", "'dockerfile' and 'dockerfileContents' are both set", "keep exactly one of them");
            } else if (!file && !inline) {
                f.error("/build", "build needs 'dockerfile' or 'dockerfileContents'", null);
            }
        }
    }

    private static EnvironmentSpec bind(ObjectNode root, Map<String, String> extensions) {
        EnvironmentSpec.Builder b = EnvironmentSpec.builder()
                .schema(text(root, "$schema"))
                .name(text(root, "name"))
                .user(text(root, "user"))
                .install(text(root, "install"))
                .start(text(root, "start"))
                .image(text(root, "image"))
                .snapshot(text(root, "snapshot"))
                .agentCanUpdateSnapshot(bool(root, "agentCanUpdateSnapshot"))
                .disableAllMcpServers(bool(root, "disableAllMcpServers"))
                .chromeExecutablePath(text(root, "chromeExecutablePath"))
                .enableTesting(bool(root, "enable_testing"));
        String egress = text(root, "egressMode");
        if (egress != null) {
            b.egressMode(EgressMode.of(egress));
        }
        if (root.get("terminals") instanceof ArrayNode terminals) {
            for (JsonNode t : terminals) {
                if (t.isArray()) {
                    List<TerminalSpec> group = new ArrayList<>();
                    t.forEach(x -> group.add(terminal(x)));
                    b.terminalGroup(group);
                } else {
                    b.terminal(terminal(t));
                }
            }
        }
        if (root.get("ports") instanceof ArrayNode ports) {
            ports.forEach(p -> b.port(PortSpec.of(text(p, "name"), p.get("port").asInt())));
        }
        strings(root, "repositoryDependencies").forEach(b::repositoryDependency);
        strings(root, "egressAllowlist").forEach(b::egressAllow);
        strings(root, "mcpServerAllowlist").forEach(b::mcpServerAllow);
        if (root.get("build") instanceof ObjectNode build) {
            b.build(new BuildSpec(text(build, "dockerfile"), text(build, "dockerfileContents"), text(build, "context")));
        }
        extensions.forEach(b::extension);
        return b.build();
    }

    private static TerminalSpec terminal(JsonNode t) {
        return new TerminalSpec(Optional.ofNullable(text(t, "name")), text(t, "command"),
                Optional.ofNullable(text(t, "description")));
    }

    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Boolean bool(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asBoolean();
    }

    private static List<String> strings(JsonNode o, String key) {
        List<String> out = new ArrayList<>();
        JsonNode v = o.get(key);
        if (v != null) {
            v.forEach(x -> out.add(x.asText()));
        }
        return out;
    }
}
