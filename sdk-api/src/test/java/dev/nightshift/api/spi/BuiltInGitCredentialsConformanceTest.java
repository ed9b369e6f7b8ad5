package dev.nightshift.api.spi;

import java.util.Map;

/** {@link GitCredentials#byHost} through the suite. */
class BuiltInGitCredentialsConformanceTest extends GitCredentialsConformanceTest {
    @Override
    protected GitCredentials credentials(Map<String, GitCredential> byHost) {
        return GitCredentials.byHost(byHost);
    }
}
