package dev.nightshift.api.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parsed {@code .cursor/environment.json}: how to make the machine an agent works in.
 *
 * <p>Every field of the file has a component; a scalar field that the file leaves out is
 * {@code null}, a list or map that it leaves out is empty (never {@code null}). Keys the
 * published schema does not define are kept, as compact JSON text, in {@link #extensions()}, so
 * a driver can still read them. {@code nightshift-sdk-spec} parses and validates files into
 * this record; code and tests can also build one with {@link #builder()}.
 *
 * <p>Derived facts: {@link #baseKind()}, {@link #effectiveAgentCanUpdateSnapshot()}, the
 * flattened {@link #terminals()} and the {@link #buildDigest()}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * EnvironmentSpec spec = EnvironmentSpec.builder()
 *         .install("npm install")
 *         .start("sudo service docker start")
 *         .terminal(TerminalSpec.of("web", "npm run dev"))
 *         .port(PortSpec.of("web", 3000))
 *         .build();
 * assert spec.baseKind() == BaseKind.DEFAULT;
 * }</pre>
 *
 * @param schema the {@code $schema} URL, or {@code null}
 * @param name display name, or {@code null}
 * @param user user that runs install, start, terminals and the agent, or {@code null} for
 *     the runtime's default
 * @param install the idempotent update command run after checkout, or {@code null}
 * @param start command run at every agent start, or {@code null}
 * @param terminalGroups terminals as written: each inner list is one group (a bare terminal
 *     object is a group of one)
 * @param ports ports to expose
 * @param repositoryDependencies other repositories ({@code github.com/org/repo}) the agent needs
 * @param build Dockerfile build, or {@code null}
 * @param image base image reference, or {@code null}
 * @param snapshot snapshot id, or {@code null}
 * @param agentCanUpdateSnapshot as written, or {@code null}; see
 *     {@link #effectiveAgentCanUpdateSnapshot()}
 * @param egressMode network policy, or {@code null}
 * @param egressAllowlist extra allowed domains
 * @param disableAllMcpServers carried to the driver, or {@code null}
 * @param mcpServerAllowlist carried to the driver
 * @param chromeExecutablePath carried to the driver, or {@code null}
 * @param enableTesting carried to the driver ({@code enable_testing}), or {@code null}
 * @param extensions keys outside the schema, mapped to their value as compact JSON text
 */
public record EnvironmentSpec(
        String schema,
        String name,
        String user,
        String install,
        String start,
        List<List<TerminalSpec>> terminalGroups,
        List<PortSpec> ports,
        List<String> repositoryDependencies,
        BuildSpec build,
        String image,
        String snapshot,
        Boolean agentCanUpdateSnapshot,
        EgressMode egressMode,
        List<String> egressAllowlist,
        Boolean disableAllMcpServers,
        List<String> mcpServerAllowlist,
        String chromeExecutablePath,
        Boolean enableTesting,
        Map<String, String> extensions) {

    /** The spec of a repository without environment.json: default base, no commands. */
    public static final EnvironmentSpec DEFAULTS = builder().build();

    public EnvironmentSpec {
        terminalGroups = terminalGroups == null ? List.of()
                : terminalGroups.stream().map(List::copyOf).toList();
        ports = ports == null ? List.of() : List.copyOf(ports);
        repositoryDependencies = repositoryDependencies == null ? List.of() : List.copyOf(repositoryDependencies);
        egressAllowlist = egressAllowlist == null ? List.of() : List.copyOf(egressAllowlist);
        mcpServerAllowlist = mcpServerAllowlist == null ? List.of() : List.copyOf(mcpServerAllowlist);
        extensions = extensions == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Where the base comes from: snapshot &gt; build &gt; image &gt; default. */
    public BaseKind baseKind() {
        if (snapshot != null) {
            return BaseKind.SNAPSHOT;
        }
        if (build != null) {
            return BaseKind.BUILD;
        }
        if (image != null) {
            return BaseKind.IMAGE;
        }
        return BaseKind.DEFAULT;
    }

    /**
     * Whether an agent (or a human who took over) may replace the environment's snapshot:
     * always false for {@code build} and {@code image} bases, otherwise the file's value,
     * defaulting to true.
     */
    public boolean effectiveAgentCanUpdateSnapshot() {
        BaseKind kind = baseKind();
        if (kind == BaseKind.BUILD || kind == BaseKind.IMAGE) {
            return false;
        }
        return agentCanUpdateSnapshot == null || agentCanUpdateSnapshot;
    }

    /**
     * A stable digest of everything in the spec that changes what a build produces: the base
     * ({@code snapshot}, {@code build} with its paths or inline text, {@code image}), {@code user}
     * and {@code install}. Names, terminals, ports, {@code start} and extensions do not count.
     * The same fields give the same digest in every JVM and release (the encoding is versioned).
     *
     * @return {@code sha256:} followed by 64 lower-case hex digits
     */
    public String buildDigest() {
        StringBuilder canonical = new StringBuilder("nightshift-environment-build-v1\n");
        digestField(canonical, "snapshot", snapshot);
        digestField(canonical, "build.dockerfile", build == null ? null : build.dockerfile());
        digestField(canonical, "build.dockerfileContents", build == null ? null : build.dockerfileContents());
        digestField(canonical, "build.context", build == null ? null : build.context());
        digestField(canonical, "image", image);
        digestField(canonical, "user", user);
        digestField(canonical, "install", install);
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static void digestField(StringBuilder b, String key, String value) {
        b.append(key);
        if (value == null) {
            b.append(" -\n");
        } else {
            b.append(' ').append(value.length()).append(':').append(value).append('\n');
        }
    }

    /** Every terminal in order, groups flattened. */
    public List<TerminalSpec> terminals() {
        List<TerminalSpec> all = new ArrayList<>();
        terminalGroups.forEach(all::addAll);
        return List.copyOf(all);
    }

    /**
     * A summary safe for logs: scalar names, the base, terminal names, port numbers and the
     * <em>names</em> of extension keys. Commands, inline Dockerfile text and extension values are
     * never printed (real files keep credentials in them, e.g. a {@code DATABASE_URL} under an
     * {@code env} key); commands show as their length.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("EnvironmentSpec[base=").append(baseKind());
        field(b, "name", name);
        field(b, "user", user);
        field(b, "image", image);
        field(b, "snapshot", snapshot);
        if (build != null) {
            b.append(", build=[dockerfile=").append(build.dockerfile() == null ? "-" : build.dockerfile())
                    .append(", context=").append(build.context() == null ? "-" : build.context());
            if (build.dockerfileContents() != null) {
                b.append(", dockerfileContents=<").append(build.dockerfileContents().length()).append(" chars>");
            }
            b.append(']');
        }
        redacted(b, "install", install);
        redacted(b, "start", start);
        if (!terminalGroups.isEmpty()) {
            b.append(", terminals=").append(terminals().stream()
                    .map(t -> t.name().orElse("<unnamed>")).toList());
        }
        if (!ports.isEmpty()) {
            b.append(", ports=").append(ports.stream().map(PortSpec::port).toList());
        }
        if (!repositoryDependencies.isEmpty()) {
            b.append(", repositoryDependencies=").append(repositoryDependencies);
        }
        if (agentCanUpdateSnapshot != null) {
            b.append(", agentCanUpdateSnapshot=").append(agentCanUpdateSnapshot);
        }
        if (egressMode != null) {
            b.append(", egressMode=").append(egressMode);
        }
        if (!egressAllowlist.isEmpty()) {
            b.append(", egressAllowlist=").append(egressAllowlist);
        }
        if (!extensions.isEmpty()) {
            b.append(", extensions=").append(extensions.keySet());
        }
        return b.append(']').toString();
    }

    private static void field(StringBuilder b, String key, String value) {
        if (value != null) {
            b.append(", ").append(key).append('=').append(value);
        }
    }

    private static void redacted(StringBuilder b, String key, String value) {
        if (value != null) {
            b.append(", ").append(key).append("=<").append(value.length()).append(" chars>");
        }
    }

    /**
     * Builds an {@link EnvironmentSpec}; every setter takes {@code null} to clear.
     *
     * <p><b>Thread-safety:</b> not thread-safe; use from one thread. <b>Lifecycle:</b>
     * reusable; {@link #build()} may be called many times.
     */
    public static final class Builder {
        private String schema;
        private String name;
        private String user;
        private String install;
        private String start;
        private final List<List<TerminalSpec>> terminalGroups = new ArrayList<>();
        private final List<PortSpec> ports = new ArrayList<>();
        private final List<String> repositoryDependencies = new ArrayList<>();
        private BuildSpec build;
        private String image;
        private String snapshot;
        private Boolean agentCanUpdateSnapshot;
        private EgressMode egressMode;
        private final List<String> egressAllowlist = new ArrayList<>();
        private Boolean disableAllMcpServers;
        private final List<String> mcpServerAllowlist = new ArrayList<>();
        private String chromeExecutablePath;
        private Boolean enableTesting;
        private final Map<String, String> extensions = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder(EnvironmentSpec s) {
            schema = s.schema;
            name = s.name;
            user = s.user;
            install = s.install;
            start = s.start;
            terminalGroups.addAll(s.terminalGroups);
            ports.addAll(s.ports);
            repositoryDependencies.addAll(s.repositoryDependencies);
            build = s.build;
            image = s.image;
            snapshot = s.snapshot;
            agentCanUpdateSnapshot = s.agentCanUpdateSnapshot;
            egressMode = s.egressMode;
            egressAllowlist.addAll(s.egressAllowlist);
            disableAllMcpServers = s.disableAllMcpServers;
            mcpServerAllowlist.addAll(s.mcpServerAllowlist);
            chromeExecutablePath = s.chromeExecutablePath;
            enableTesting = s.enableTesting;
            extensions.putAll(s.extensions);
        }

        public Builder schema(String value) { schema = value; return this; }
        public Builder name(String value) { name = value; return this; }
        public Builder user(String value) { user = value; return this; }
        public Builder install(String value) { install = value; return this; }
        public Builder start(String value) { start = value; return this; }

        /** Adds a group of one terminal. */
        public Builder terminal(TerminalSpec terminal) {
            terminalGroups.add(List.of(Objects.requireNonNull(terminal, "terminal")));
            return this;
        }

        /** Adds a group of terminals (an array inside {@code terminals}). */
        public Builder terminalGroup(List<TerminalSpec> group) {
            terminalGroups.add(List.copyOf(group));
            return this;
        }

        public Builder port(PortSpec port) { ports.add(Objects.requireNonNull(port, "port")); return this; }
        public Builder repositoryDependency(String repo) { repositoryDependencies.add(Objects.requireNonNull(repo)); return this; }
        public Builder build(BuildSpec value) { build = value; return this; }
        public Builder image(String value) { image = value; return this; }
        public Builder snapshot(String value) { snapshot = value; return this; }
        public Builder agentCanUpdateSnapshot(Boolean value) { agentCanUpdateSnapshot = value; return this; }
        public Builder egressMode(EgressMode value) { egressMode = value; return this; }
        public Builder egressAllow(String domain) { egressAllowlist.add(Objects.requireNonNull(domain)); return this; }
        public Builder disableAllMcpServers(Boolean value) { disableAllMcpServers = value; return this; }
        public Builder mcpServerAllow(String server) { mcpServerAllowlist.add(Objects.requireNonNull(server)); return this; }
        public Builder chromeExecutablePath(String value) { chromeExecutablePath = value; return this; }
        public Builder enableTesting(Boolean value) { enableTesting = value; return this; }

        /** Keeps a key outside the schema with its value as compact JSON text. */
        public Builder extension(String key, String jsonText) {
            extensions.put(Objects.requireNonNull(key), Objects.requireNonNull(jsonText));
            return this;
        }

        public EnvironmentSpec build() {
            return new EnvironmentSpec(schema, name, user, install, start, terminalGroups, ports,
                    repositoryDependencies, build, image, snapshot, agentCanUpdateSnapshot, egressMode,
                    egressAllowlist, disableAllMcpServers, mcpServerAllowlist, chromeExecutablePath,
                    enableTesting, extensions);
        }
    }
}
