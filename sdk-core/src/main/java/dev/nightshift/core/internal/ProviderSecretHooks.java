package dev.nightshift.core.internal;

import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link SecretHooks} over a {@link SecretProvider}: scopes merged by {@link ResolvedSecrets}. */
public final class ProviderSecretHooks implements SecretHooks {
    private final SecretProvider provider;
    private final SecretContext base;
    /**
     * The last few merged sets, by their secrets: agents of one user share one redactor and one
     * push guard (their automata are the bulk of the memory secrets take), built once.
     */
    private final Map<List<Secret>, ResolvedSecrets> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Secret>, ResolvedSecrets> eldest) {
            return size() > 16;
        }
    };

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
        if (provider instanceof dev.nightshift.secrets.SecretStore store) {
            store.deleteOwner(dev.nightshift.api.spi.SecretScope.AGENT, agentId);
        }
    }

    private ResolvedSecrets merged(List<Secret> secrets) {
        List<Secret> key = List.copyOf(secrets);
        synchronized (recent) {
            ResolvedSecrets r = recent.get(key);
            if (r != null) {
                return r;
            }
        }
        ResolvedSecrets r = ResolvedSecrets.of(key);
        synchronized (recent) {
            recent.put(key, r);
        }
        return r;
    }

    @Override
    public Resolved resolve(String agentId, String repository, Map<String, String> agentSecrets) {
        SecretContext ctx = base.withEnvironment(environmentName(repository)).withAgent(agentId);
        ResolvedSecrets r = merged(provider.secrets(ctx));
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
