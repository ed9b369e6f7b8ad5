package dev.nightshift.api;

import dev.nightshift.api.spi.SecretKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;

/**
 * What to do and where: the prompt, the source repository and ref, where the work goes, and which
 * driver does it.
 *
 * <p>An optional client-chosen {@link #id()} makes {@code spawn} idempotent: spawning the same id
 * with an equal request returns the existing agent; with a different request it is a
 * {@link ConflictException}. The comparison leaves the {@link #secrets()} out: a repeated spawn
 * neither needs nor changes them.
 *
 * <p>{@link #secrets()} are the agent's own secrets (scope {@code AGENT}: they override user, team
 * and environment secrets of the same name). They are never stored with the request: the engine
 * takes them out at spawn ({@link #withoutSecrets()}), keeps them encrypted in its secret store and
 * deletes them with the agent, so {@code agent.info().request()} has none. {@link #toString()}
 * never shows a value.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value, stored with the agent (without
 * its secrets).
 *
 * <pre>{@code
 * AgentRequest request = AgentRequest.builder("Add a README section on testing",
 *                 "https://github.com/acme/shop.git")
 *         .ref("main")
 *         .driver("shell")
 *         .secret("API_TOKEN", SecretKind.RUNTIME, token)
 *         .build();
 * Agent agent = nightshift.spawn(request);
 * }</pre>
 *
 * <p>A value that may be absent is an {@link Optional}, never {@code null} ({@code null} given to
 * the constructor becomes {@link Optional#empty()}); the {@link Builder} takes plain values.
 *
 * @param id client-chosen agent id; empty for a generated one
 * @param prompt the first turn's prompt, not blank
 * @param repository the source repository URL (https, ssh, or file)
 * @param ref branch, tag or commit to start from; empty for the remote's default branch
 * @param branchName the agent's branch; empty to derive {@code <prefix>/<slug>-<4 hex>}
 *     from the prompt; a given name is validated, never trusted
 * @param push whether to push the branch after each turn
 * @param driver name of the {@link AgentDriver} to use
 * @param model model name passed to the driver; empty for the driver's default
 * @param name display name; empty for none
 * @param labels free-form labels for listing and filtering
 * @param secrets the agent's own secrets, distinct names; empty for none (never stored with the
 *     request)
 */
public record AgentRequest(Optional<String> id, String prompt, String repository, Optional<String> ref,
        Optional<String> branchName, boolean push, String driver, Optional<String> model, Optional<String> name,
        Map<String, String> labels, List<Secret> secrets) {

    /** Driver used when none is named. */
    public static final String DEFAULT_DRIVER = "shell";

    public AgentRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(repository, "repository");
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
        }
        if (repository.isBlank()) {
            throw new IllegalArgumentException("repository must not be blank");
        }
        id = id == null ? Optional.empty() : id;
        ref = ref == null ? Optional.empty() : ref;
        branchName = branchName == null ? Optional.empty() : branchName;
        model = model == null ? Optional.empty() : model;
        name = name == null ? Optional.empty() : name;
        if (id.isPresent() && !id.get().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException(
                    "agent id must be 1-128 characters of letters, digits, '.', '_' or '-': " + id.get());
        }
        driver = driver == null ? DEFAULT_DRIVER : driver;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        Set<String> names = new HashSet<>();
        for (Secret s : secrets) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("agent secret " + s.name() + " is given twice");
            }
        }
    }

    /**
     * One secret of one agent: an environment variable name, what it is for, and its value.
     * {@link #toString()} never shows the value.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value, held by the request until the
     * engine stores it encrypted at spawn.
     *
     * @param name an environment variable name (POSIX; no reserved prefix such as
     *     {@code NIGHTSHIFT_}; the secret store checks it at spawn)
     * @param kind how it is injected and whether it is redacted
     * @param value the value
     */
    public record Secret(String name, SecretKind kind, String value) {
        public Secret {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
            if (name.isBlank()) {
                throw new IllegalArgumentException("secret name must not be blank");
            }
        }

        @Override
        public String toString() {
            return "Secret[name=" + name + ", kind=" + kind + ", value=****]";
        }
    }

    public static Builder builder(String prompt, String repository) {
        return new Builder(prompt, repository);
    }

    public AgentRequest withId(String newId) {
        return toBuilder().id(newId).build();
    }

    /** This request without its secrets: what the engine stores, compares and shows. */
    public AgentRequest withoutSecrets() {
        return secrets.isEmpty() ? this
                : new AgentRequest(id, prompt, repository, ref, branchName, push, driver, model, name, labels, List.of());
    }

    public Builder toBuilder() {
        return new Builder(prompt, repository).id(id.orElse(null)).ref(ref.orElse(null))
                .branchName(branchName.orElse(null)).push(push).driver(driver).model(model.orElse(null))
                .name(name.orElse(null)).labels(labels).secrets(secrets);
    }

    /** All fields but the secrets' values, which show as {@code ****}. */
    @Override
    public String toString() {
        StringBuilder shown = new StringBuilder("[");
        for (Secret s : secrets) {
            shown.append(shown.length() > 1 ? ", " : "").append(s.name()).append('(').append(s.kind()).append(")=****");
        }
        return "AgentRequest[id=" + id.orElse(null) + ", prompt=" + prompt + ", repository=" + repository
                + ", ref=" + ref.orElse(null) + ", branchName=" + branchName.orElse(null) + ", push=" + push
                + ", driver=" + driver + ", model=" + model.orElse(null) + ", name=" + name.orElse(null)
                + ", labels=" + labels + ", secrets=" + shown.append(']') + "]";
    }

    /**
     * Builds an {@link AgentRequest}; {@code push} defaults to true.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable.
     */
    public static final class Builder {
        private String id;
        private final String prompt;
        private final String repository;
        private String ref;
        private String branchName;
        private boolean push = true;
        private String driver = DEFAULT_DRIVER;
        private String model;
        private String name;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final List<Secret> secrets = new ArrayList<>();

        private Builder(String prompt, String repository) {
            this.prompt = prompt;
            this.repository = repository;
        }

        public Builder id(String value) { id = value; return this; }
        public Builder ref(String value) { ref = value; return this; }
        public Builder branchName(String value) { branchName = value; return this; }
        public Builder push(boolean value) { push = value; return this; }
        public Builder driver(String value) { driver = value; return this; }
        public Builder model(String value) { model = value; return this; }
        public Builder name(String value) { name = value; return this; }
        public Builder label(String key, String value) { labels.put(key, value); return this; }
        public Builder labels(Map<String, String> values) { labels.putAll(values); return this; }
        /** Adds one of the agent's own secrets ({@link Secret}). */
        public Builder secret(String secretName, SecretKind kind, String value) {
            secrets.add(new Secret(secretName, kind, value));
            return this;
        }
        /** Adds these secrets to those already given. */
        public Builder secrets(List<Secret> values) { secrets.addAll(values); return this; }

        public AgentRequest build() {
            return new AgentRequest(Optional.ofNullable(id), prompt, repository, Optional.ofNullable(ref),
                    Optional.ofNullable(branchName), push, driver, Optional.ofNullable(model),
                    Optional.ofNullable(name), labels, secrets);
        }
    }
}
