package dev.nightshift.core.internal;

import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

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
     * @param redactor replaces runtime secret values (and their encodings) in recorded text
     * @param pushGuardValues values a pushed diff or commit message must not contain
     */
    record Resolved(Map<String, String> buildEnv, Map<String, String> machineEnv,
            Map<String, String> buildSecretVersions, Map<String, String> buildSecrets, UnaryOperator<String> redactor,
            Set<String> pushGuardValues) {
        public static final Resolved EMPTY = new Resolved(Map.of(), Map.of(), Map.of(), Map.of(),
                UnaryOperator.identity(), Set.of());

        @Override
        public String toString() {
            return "SecretHooks.Resolved[buildEnv=" + buildEnv.keySet() + ", machineEnv=" + machineEnv.keySet()
                    + ", buildSecretVersions=" + buildSecretVersions + "]";
        }
    }
}
