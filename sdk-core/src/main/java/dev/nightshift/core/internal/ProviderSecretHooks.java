package dev.nightshift.core.internal;

import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.core.secrets.ResolvedSecrets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link SecretHooks} over a {@link SecretProvider}: scopes merged by {@link ResolvedSecrets}. */
public final class ProviderSecretHooks implements SecretHooks {
    private final SecretProvider provider;
    private final SecretContext base;

    /** @param base the user and team this engine acts for (environment and agent are filled per call) */
    public ProviderSecretHooks(SecretProvider provider, SecretContext base) {
        this.provider = provider;
        this.base = base;
    }

    /** The environment scope's owner name for a repository: its URL without user info. */
    public static String environmentName(String repository) {
        return EnvironmentCache.labelSafe(repository);
    }

    @Override
    public void agentDeleted(String agentId) {
        if (provider instanceof dev.nightshift.core.secrets.SecretStore store) {
            store.deleteOwner(dev.nightshift.api.spi.SecretScope.AGENT, agentId);
        }
    }

    @Override
    public Resolved resolve(String agentId, String repository, Map<String, String> agentSecrets) {
        SecretContext ctx = base.withEnvironment(environmentName(repository)).withAgent(agentId);
        ResolvedSecrets r = ResolvedSecrets.resolve(provider, ctx);
        if (r.effective().isEmpty()) {
            return Resolved.EMPTY;
        }
        Map<String, String> buildValues = new LinkedHashMap<>();
        for (Secret s : r.effective().values()) {
            if (s.kind() == SecretKind.BUILD) {
                buildValues.put(s.name(), s.value());
            }
        }
        return new Resolved(r.env(ResolvedSecrets.Phase.BUILD), r.env(ResolvedSecrets.Phase.AGENT),
                r.buildSecretVersions(), Map.copyOf(buildValues), r.redactor(), r.pushGuard());
    }
}
