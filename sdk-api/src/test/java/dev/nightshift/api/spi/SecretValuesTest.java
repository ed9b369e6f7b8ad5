package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretValuesTest {

    @Test
    void secretToStringNamesItButHidesTheValue() {
        Secret s = new Secret("NPM_TOKEN", "npm_s3cr3tvalue", SecretKind.BUILD, SecretScope.TEAM, "payments", 3);
        assertThat(s.toString()).isEqualTo("Secret[TEAM/payments/NPM_TOKEN v3 BUILD, value=****]")
                .doesNotContain("npm_s3cr3tvalue");
        assertThatThrownBy(() -> new Secret("A", "v", SecretKind.ENV, SecretScope.USER, "u", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrappedKeyCopiesItsBytesAndComparesByContent() {
        byte[] b = {1, 2, 3};
        WrappedKey w = new WrappedKey("k1", b);
        b[0] = 9;
        assertThat(w.bytes()).containsExactly(1, 2, 3);
        w.bytes()[1] = 9;
        assertThat(w.bytes()).containsExactly(1, 2, 3);
        assertThat(w).isEqualTo(new WrappedKey("k1", new byte[] {1, 2, 3})).isNotEqualTo(new WrappedKey("k2", new byte[] {1, 2, 3}));
        assertThat(w.toString()).isEqualTo("WrappedKey[keyId=k1, 3 bytes]");
    }

    @Test
    void scopeOrderAndContextVisibility() {
        assertThat(SecretScope.AGENT.overrides(SecretScope.ENVIRONMENT)).isTrue();
        assertThat(SecretScope.ENVIRONMENT.overrides(SecretScope.TEAM)).isTrue();
        assertThat(SecretScope.TEAM.overrides(SecretScope.USER)).isTrue();
        assertThat(SecretScope.USER.overrides(SecretScope.TEAM)).isFalse();
        SecretContext ctx = SecretContext.of("alice").withAgent("a1");
        assertThat(ctx.sees(SecretScope.USER, "alice")).isTrue();
        assertThat(ctx.sees(SecretScope.USER, "bob")).isFalse();
        assertThat(ctx.sees(SecretScope.TEAM, "alice")).as("no team in the context").isFalse();
        assertThat(ctx.sees(SecretScope.AGENT, "a1")).isTrue();
    }

    @Test
    void kindsDecideWhereValuesGo() {
        assertThat(SecretKind.ENV.redacted()).isFalse();
        assertThat(SecretKind.RUNTIME.redacted()).isTrue();
        assertThat(SecretKind.BUILD.redacted()).isTrue();
        assertThat(SecretKind.BUILD.reachesAgentMachine()).isFalse();
        assertThat(SecretKind.RUNTIME.reachesAgentMachine()).isTrue();
    }
}
