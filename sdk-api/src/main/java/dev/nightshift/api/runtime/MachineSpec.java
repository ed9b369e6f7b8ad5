package dev.nightshift.api.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a machine: image, user, environment, labels, limits and ports.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * MachineSpec spec = MachineSpec.builder(image.id())
 *         .user("ubuntu")
 *         .env("CI", "true")
 *         .label("app.example/job", jobId)
 *         .port(3000)
 *         .build();
 * try (Machine m = runtime.start(spec)) { ... }
 * }</pre>
 *
 * @param image image id or reference to start from
 * @param user default user of exec and terminals, or {@code null} for the image's
 * @param env environment variables of every process
 * @param labels labels on the machine (the runtime adds its own ownership labels)
 * @param limits resource limits; absent: the runtime's default (each runtime documents its own, e.g.
 *     {@code DockerRuntime.Builder#defaultLimits}; {@link ResourceLimits#DEFAULT} where it has none)
 * @param ports machine ports to publish on the host's loopback
 * @param privileged whether to run privileged (only when the host application opts in)
 * @param workdir default working directory, or {@code null} for the image's
 * @param egress where the machine may connect ({@link EgressPolicy#ALLOW_ALL} when {@code null});
 *     a runtime that cannot enforce a restricted policy refuses to start the machine
 * @param keepOnOwnerExit whether the machine outlives the process that started it: the runtime
 *     neither removes it when that process exits nor reaps it as an orphan afterwards (an agent's
 *     machine, which a later engine reattaches or removes; a setup, which a person removes).
 *     False by default: the machine goes with its process
 */
public record MachineSpec(String image, String user, Map<String, String> env, Map<String, String> labels,
        Optional<ResourceLimits> limits, List<Integer> ports, boolean privileged, String workdir, EgressPolicy egress,
        boolean keepOnOwnerExit) {

    public MachineSpec {
        Objects.requireNonNull(image, "image");
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        limits = limits == null ? Optional.empty() : limits;
        ports = ports == null ? List.of() : List.copyOf(ports);
        egress = egress == null ? EgressPolicy.ALLOW_ALL : egress;
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port out of range: " + p);
            }
        }
    }

    /** A spec with every destination allowed, for a machine that goes with its process. */
    public MachineSpec(String image, String user, Map<String, String> env, Map<String, String> labels,
            Optional<ResourceLimits> limits, List<Integer> ports, boolean privileged, String workdir) {
        this(image, user, env, labels, limits, ports, privileged, workdir, EgressPolicy.ALLOW_ALL, false);
    }

    /** A spec for a machine that goes with its process. */
    public MachineSpec(String image, String user, Map<String, String> env, Map<String, String> labels,
            Optional<ResourceLimits> limits, List<Integer> ports, boolean privileged, String workdir,
            EgressPolicy egress) {
        this(image, user, env, labels, limits, ports, privileged, workdir, egress, false);
    }

    public static Builder builder(String image) {
        return new Builder(image);
    }

    public Builder toBuilder() {
        Builder b = new Builder(image).user(user).limits(limits.orElse(null)).privileged(privileged).workdir(workdir)
                .egress(egress).keepOnOwnerExit(keepOnOwnerExit);
        b.env.putAll(env);
        b.labels.putAll(labels);
        b.ports.addAll(ports);
        return b;
    }

    @Override
    public String toString() {
        // env values may hold secrets: show names only
        return "MachineSpec[image=" + image + ", user=" + user + ", env=" + env.keySet() + ", labels=" + labels
                + ", limits=" + limits.map(Object::toString).orElse("default") + ", ports=" + ports
                + ", privileged=" + privileged + ", workdir=" + workdir
                + (egress.allowAll() ? "" : ", egress=" + egress) + (keepOnOwnerExit ? ", keepOnOwnerExit" : "") + "]";
    }

    /**
     * Builds a {@link MachineSpec}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable.
     */
    public static final class Builder {
        private String image;
        private String user;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private ResourceLimits limits;
        private final List<Integer> ports = new ArrayList<>();
        private boolean privileged;
        private String workdir;
        private EgressPolicy egress = EgressPolicy.ALLOW_ALL;
        private boolean keepOnOwnerExit;

        private Builder(String image) {
            this.image = Objects.requireNonNull(image, "image");
        }

        public Builder image(String value) { image = Objects.requireNonNull(value); return this; }
        public Builder user(String value) { user = value; return this; }
        public Builder env(String name, String value) { env.put(name, value); return this; }
        public Builder env(Map<String, String> values) { env.putAll(values); return this; }
        public Builder label(String name, String value) { labels.put(name, value); return this; }
        public Builder labels(Map<String, String> values) { labels.putAll(values); return this; }
        /** The machine's resource limits; {@code null} (the default): the runtime's default. */
        public Builder limits(ResourceLimits value) { limits = value; return this; }
        public Builder port(int port) { ports.add(port); return this; }
        public Builder privileged(boolean value) { privileged = value; return this; }
        public Builder workdir(String value) { workdir = value; return this; }
        public Builder egress(EgressPolicy value) { egress = value; return this; }
        /** Whether the machine outlives the process that started it (see {@link MachineSpec}). */
        public Builder keepOnOwnerExit(boolean value) { keepOnOwnerExit = value; return this; }

        public MachineSpec build() {
            return new MachineSpec(image, user, env, labels, Optional.ofNullable(limits), ports, privileged, workdir,
                    egress, keepOnOwnerExit);
        }
    }
}
