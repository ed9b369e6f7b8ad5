package dev.nightshift.core.internal;

import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.spec.EnvironmentParser;
import dev.nightshift.api.spec.RepositoryTree;
import dev.nightshift.spec.ResolvedSpec;
import dev.nightshift.spec.SpecResolver;
import java.nio.charset.StandardCharsets;

/** {@link SpecPort} over sdk-spec's {@link SpecResolver}. */
public final class SdkSpecPort implements SpecPort {
    private final SpecResolver resolver;

    /**
     * @param personal a saved personal environment.json (JSON text), or null
     * @param team a saved team environment.json (JSON text), or null
     */
    public SdkSpecPort(boolean strict, String personal, String team) {
        EnvironmentParser parser = EnvironmentParser.builder().strict(strict).build();
        this.resolver = SpecResolver.builder().strict(strict)
                .personal(saved(parser, "personal environment.json", personal))
                .team(saved(parser, "team environment.json", team)).build();
    }

    private static EnvironmentSpec saved(EnvironmentParser parser, String name, String json) {
        return json == null ? null : parser.parseOrThrow(name, json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Resolved resolve(RepositoryTree tree) {
        ResolvedSpec r = resolver.resolve(tree);
        return new Resolved(r.spec(), r.origin(), r.warnings(), r.digest(), r.dockerfilePath(), r.contextPath());
    }
}
