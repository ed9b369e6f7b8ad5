package dev.nightshift.core.internal;

import dev.nightshift.api.Environment;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An {@link Environment}: the spec at a fetched commit, bound to the engine's runtime and cache.
 * The cache key is computed on first use (it needs the base image, so a Dockerfile base is built).
 */
public final class EnvironmentHandle implements Environment {
    private final EngineContext engine;
    private final String repository;
    private final GitHost.Source source;
    private final ResolvedSpec resolved;
    private volatile String key;

    public EnvironmentHandle(EngineContext engine, String repository, String ref) {
        this.engine = engine;
        this.repository = repository;
        this.source = engine.git().fetch(repository, ref);
        this.resolved = engine.spec().resolve(source.tree());
    }

    private EnvironmentCache.Request request(Duration timeout, Consumer<String> output) {
        SecretHooks.Resolved secrets = engine.secrets().resolve(null, repository, Map.of());
        return new EnvironmentCache.Request(repository, source, resolved, timeout, secrets, output, output);
    }

    @Override
    public String repository() {
        return repository;
    }

    @Override
    public EnvironmentSpec spec() {
        return resolved.spec();
    }

    @Override
    public String specOrigin() {
        return resolved.origin();
    }

    @Override
    public String cacheKey() {
        String k = key;
        if (k == null) {
            k = engine.environments().keyFor(request(engine.limits().installTimeout(), line -> { }));
            key = k;
        }
        return k;
    }

    @Override
    public Optional<SnapshotInfo> activeSnapshot() {
        return engine.environments().find(cacheKey());
    }

    @Override
    public SnapshotInfo prepare(Duration timeout, Consumer<String> output) {
        CompletableFuture<SnapshotInfo> f = CompletableFuture.supplyAsync(
                () -> engine.environments().prepare(request(timeout, output)).snapshot(), engine.executor());
        try {
            return f.get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new NightshiftTimeoutException("the environment of " + EnvironmentCache.labelSafe(repository)
                    + " was not prepared within " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re
                    : new dev.nightshift.api.NightshiftException(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.nightshift.api.NightshiftException("interrupted while preparing an environment", e);
        }
    }

    @Override
    public String toString() {
        return "Environment[" + EnvironmentCache.labelSafe(repository) + " @ " + source.commit() + ", " + Map.of(
                "origin", resolved.origin()) + "]";
    }
}
