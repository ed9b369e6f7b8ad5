package dev.nightshift.core.internal;

import dev.nightshift.secrets.Redactor;
import java.util.Map;

/**
 * Where the engine asks about secrets: which variables each phase gets, what to redact, and what
 * must never leave. {@link #NONE} is the default when no secret store is configured.
 */
public interface SecretHooks {

    /** No secrets: nothing injected, nothing redacted. */
    SecretHooks NONE = new SecretHooks() {
        @Override
        public Resolved resolve(String agentId, String repository, Map<String, String> agentSecrets) {
            return Resolved.EMPTY;
        }
    };

    /**
     * The secrets in force for an agent (or, with a null id, for a build) on {@code repository},
     * merged over their scopes; {@code agentSecrets} are the per-agent ones given at spawn.
     */
    Resolved resolve(String agentId, String repository, Map<String, String> agentSecrets);

    /** Forgets what belongs to a deleted agent (its per-agent secrets). */
    default void agentDeleted(String agentId) {
    }

    /**
     * Resolved secrets for one agent or build.
     *
     * @param buildEnv variables for the Dockerfile build and the build's {@code install}
     * @param machineEnv variables for the agent's install, start, terminals and commands (no build secrets)
     * @param buildSecretVersions name to version of each build secret (for the cache key; never values)
     * @param buildSecrets name to value of each build secret: none may appear in a snapshot's changed files
     * @param redactor replaces runtime and build secret values (and their forms) in recorded text;
     *     {@link Redactor#execListener} for a command's output before it is cut into lines
     * @param pushGuard finds those values (and their forms) in a pushed diff, file or commit message
     *     ({@link Redactor#containsSecret}, {@link Redactor#secretsIn})
     */
    record Resolved(Map<String, String> buildEnv, Map<String, String> machineEnv,
            Map<String, String> buildSecretVersions, Map<String, String> buildSecrets, Redactor redactor,
            Redactor pushGuard) {
        public static final Resolved EMPTY = new Resolved(Map.of(), Map.of(), Map.of(), Map.of(),
                Redactor.none(), Redactor.none());

        @Override
        public String toString() {
            return "SecretHooks.Resolved[buildEnv=" + buildEnv.keySet() + ", machineEnv=" + machineEnv.keySet()
                    + ", buildSecretVersions=" + buildSecretVersions + "]";
        }
    }
}
