package dev.nightshift.api.spi;

import java.util.List;

class ReferenceSecretProviderConformanceTest extends SecretProviderConformanceTest {
    @Override
    protected SecretProvider provider(List<Secret> seed) {
        List<Secret> copy = List.copyOf(seed);
        return ctx -> copy.stream().filter(s -> ctx.sees(s.scope(), s.owner())).toList();
    }
}
