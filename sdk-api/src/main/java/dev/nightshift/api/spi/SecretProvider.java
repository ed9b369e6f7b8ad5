package dev.nightshift.api.spi;

import java.util.List;

/**
 * Where secrets come from. The engine asks once per build and once per agent start; a running
 * agent keeps the values it started with.
 *
 * <p>A provider returns the current version of every secret visible in the context: for each
 * scope, those owned by the context's owner of that scope ({@link SecretContext#sees}); nothing
 * for a scope the context leaves {@code null}. It does not merge scopes: the engine does (a later
 * scope overrides an earlier one by name), so every scope's secret reaches the redactor.
 * sdk-core's encrypted {@code SecretStore} is one provider; a vault or a cloud secret manager
 * plugs in the same way.
 *
 * <p><b>Thread-safety:</b> implementations must be thread-safe. <b>Lifecycle:</b> owned by the
 * host application (or the engine's builder when it opened it).
 *
 * <pre>{@code
 * SecretProvider fromEnv = ctx -> ctx.user() == null ? List.of()
 *         : List.of(new Secret("API_TOKEN", System.getenv("API_TOKEN"), SecretKind.RUNTIME,
 *                 SecretScope.USER, ctx.user(), 1));
 * }</pre>
 */
@FunctionalInterface
public interface SecretProvider {

    /** Provides no secrets. */
    SecretProvider NONE = context -> List.of();

    /**
     * The current version of each secret visible in {@code context}, in any order; never null.
     */
    List<Secret> secrets(SecretContext context);
}
