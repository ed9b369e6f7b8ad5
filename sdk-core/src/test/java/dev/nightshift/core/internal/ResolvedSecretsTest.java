package dev.nightshift.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.Redactor;
import dev.nightshift.secrets.SecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's merge of secret scopes: who wins, what each phase gets, what is redacted and guarded. */
class ResolvedSecretsTest {
    static Secret s(String name, String value, SecretKind kind, SecretScope scope, int version) {
        return new Secret(name, value, kind, scope, scope.name().toLowerCase() + "-owner", version);
    }

    static final List<Secret> ALL = List.of(
            s("API_TOKEN", "user-api-token", SecretKind.RUNTIME, SecretScope.USER, 1),
            s("API_TOKEN", "team-api-token", SecretKind.RUNTIME, SecretScope.TEAM, 4),
            s("API_TOKEN", "agent-api-token", SecretKind.RUNTIME, SecretScope.AGENT, 1),
            s("REGION", "eu-west-1", SecretKind.ENV, SecretScope.USER, 1),
            s("REGION", "us-east-1", SecretKind.ENV, SecretScope.ENVIRONMENT, 2),
            s("NPM_TOKEN", "npm-build-token", SecretKind.BUILD, SecretScope.TEAM, 3),
            s("DEPLOY_KEY", "deploy-runtime-key", SecretKind.RUNTIME, SecretScope.ENVIRONMENT, 1));

    static List<Secret> reversed(List<Secret> in) {
        List<Secret> out = new java.util.ArrayList<>(in);
        java.util.Collections.reverse(out);
        return out;
    }

    @Test
    void laterScopesOverrideEarlierOnesByName() {
        ResolvedSecrets r = ResolvedSecrets.of(ALL);
        assertThat(r.env(ResolvedSecrets.Phase.AGENT)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "API_TOKEN", "agent-api-token", "REGION", "us-east-1", "DEPLOY_KEY", "deploy-runtime-key"));
        assertThat(r.sources()).containsEntry("API_TOKEN", SecretScope.AGENT).containsEntry("REGION", SecretScope.ENVIRONMENT);
        // the same, given in another order
        assertThat(ResolvedSecrets.of(reversed(ALL)).env(ResolvedSecrets.Phase.AGENT)).isEqualTo(r.env(ResolvedSecrets.Phase.AGENT));
    }

    @Test
    void buildSecretsReachTheBuildOnlyNeverAnAgentMachine() {
        ResolvedSecrets r = ResolvedSecrets.of(ALL);
        assertThat(r.env(ResolvedSecrets.Phase.BUILD)).containsEntry("NPM_TOKEN", "npm-build-token")
                .containsEntry("API_TOKEN", "agent-api-token").containsEntry("REGION", "us-east-1");
        assertThat(r.env(ResolvedSecrets.Phase.AGENT)).doesNotContainKey("NPM_TOKEN")
                .doesNotContainValue("npm-build-token");
    }

    @Test
    void aLaterScopeCanTurnABuildSecretIntoAPlainOne() {
        ResolvedSecrets r = ResolvedSecrets.of(List.of(
                s("NPM_TOKEN", "team-npm-token", SecretKind.BUILD, SecretScope.TEAM, 1),
                s("NPM_TOKEN", "agent-npm-token", SecretKind.RUNTIME, SecretScope.AGENT, 1)));
        assertThat(r.env(ResolvedSecrets.Phase.AGENT)).containsEntry("NPM_TOKEN", "agent-npm-token");
        assertThat(r.buildSecretVersions()).isEmpty();
        assertThat(r.redactor().redact("team-npm-token")).as("an overridden value is still redacted").isEqualTo("[REDACTED]");
    }

    @Test
    void redactsRuntimeAndBuildValuesOfEveryScopeButNotPlainOnes() {
        ResolvedSecrets r = ResolvedSecrets.of(ALL);
        Redactor red = r.redactor();
        assertThat(red.redact("user-api-token team-api-token agent-api-token npm-build-token deploy-runtime-key"))
                .isEqualTo("[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED]");
        assertThat(red.redact("region eu-west-1 us-east-1")).isEqualTo("region eu-west-1 us-east-1");
        assertThat(r.valuesToRedact()).containsExactlyInAnyOrder("user-api-token", "team-api-token", "agent-api-token",
                "npm-build-token", "deploy-runtime-key");
    }

    @Test
    void buildCacheKeyGetsVersionsNeverValues() {
        ResolvedSecrets r = ResolvedSecrets.of(ALL);
        assertThat(r.buildSecretVersions()).containsExactly(Map.entry("NPM_TOKEN", "TEAM/team-owner/v3"));
        assertThat(r.buildSecretVersions().toString()).doesNotContain("npm-build-token");
        ResolvedSecrets newer = ResolvedSecrets.of(List.of(s("NPM_TOKEN", "npm-build-token", SecretKind.BUILD, SecretScope.TEAM, 4)));
        assertThat(newer.buildSecretVersions()).isNotEqualTo(r.buildSecretVersions());
        assertThat(r.toString()).doesNotContain("token").contains("NPM_TOKEN=TEAM BUILD v3");
    }

    @Test
    void thePushGuardFindsRuntimeSecretsInADiff() {
        ResolvedSecrets r = ResolvedSecrets.of(ALL);
        String diff = "diff --git a/.env b/.env\n+++ b/.env\n+TOKEN=agent-api-token\n";
        assertThat(r.pushGuard().containsSecret(diff)).isTrue();
        assertThat(r.pushGuard().secretsIn(diff)).containsExactly("API_TOKEN");
        String b64 = "+cfg: " + Base64.getEncoder().encodeToString("x:deploy-runtime-key".getBytes(StandardCharsets.UTF_8));
        assertThat(r.pushGuard().secretsIn(b64)).containsExactly("DEPLOY_KEY");
        assertThat(r.pushGuard().containsSecret("+REGION=us-east-1\n+TOKEN=agent-api-toke\n")).as("control").isFalse();
    }

    @Test
    void resolvesFromAProviderAndValidatesWhatItGets(@TempDir Path root) {
        SecretStore store = SecretStore.open(root, LocalKms.open(root.resolve("k")));
        store.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, "alice-token");
        store.set(SecretScope.AGENT, "a1", "API_TOKEN", SecretKind.RUNTIME, "agent-token");
        ResolvedSecrets r = ResolvedSecrets.resolve(store, SecretContext.of("alice").withAgent("a1"));
        assertThat(r.env(ResolvedSecrets.Phase.AGENT)).containsExactly(Map.entry("API_TOKEN", "agent-token"));
        assertThatThrownBy(() -> ResolvedSecrets.of(List.of(s("NIGHTSHIFT_X", "value", SecretKind.ENV, SecretScope.USER, 1))))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> ResolvedSecrets.of(List.of(s("A", "value-one", SecretKind.ENV, SecretScope.USER, 1),
                s("A", "value-two", SecretKind.ENV, SecretScope.USER, 2)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ResolvedSecrets.none().env(ResolvedSecrets.Phase.BUILD)).isEmpty();
        assertThat(ResolvedSecrets.none().redactor().redact("x")).isEqualTo("x");
    }
}
