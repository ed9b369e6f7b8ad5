package dev.nightshift.git.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.ValidationException;
import org.junit.jupiter.api.Test;

class RemoteTest {

    @Test
    void spellingsOfOneRemoteShareAKey() {
        String key = "https://github.com/acme/app";
        assertThat(Remote.parse("https://github.com/acme/app").key()).isEqualTo(key);
        assertThat(Remote.parse("https://GitHub.com/acme/app.git").key()).isEqualTo(key);
        assertThat(Remote.parse("https://github.com/acme/app/").key()).isEqualTo(key);
        assertThat(Remote.parse("github.com/acme/app").key()).isEqualTo(key);
        assertThat(Remote.parse("git@github.com:acme/app.git").key()).isEqualTo("ssh://git@github.com/acme/app");
        assertThat(Remote.parse("/srv/git/app.git").key()).isEqualTo("file:///srv/git/app");
        assertThat(Remote.parse("file:///srv/git/app.git").key()).isEqualTo("file:///srv/git/app");
        assertThat(Remote.parse("https://github.com/acme/app").mirrorName())
                .isEqualTo(Remote.parse("github.com/acme/app.git").mirrorName())
                .isNotEqualTo(Remote.parse("https://github.com/acme/app2").mirrorName())
                .matches("[A-Za-z0-9._-]+");
        assertThat(Remote.parse("github.com/acme/app").shortName()).isEqualTo("app");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        for (String url : new String[] {"https://user:s3cr3tT0ken@github.com/acme/app",
                "https://s3cr3tT0ken@github.com/acme/app", "ssh://git:s3cr3tT0ken@host/x"}) {
            assertThatThrownBy(() -> Remote.parse(url)).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("GitCredentials").hasMessageNotContaining("s3cr3tT0ken");
        }
        assertThat(Remote.parse("ssh://git@host/x").uri().getUserInfo()).as("an ssh user is not a secret").isEqualTo("git");
        assertThat(Remote.parse("ssh://git@host:2222/x").credentialUri()).hasToString("ssh://host:2222/x");
    }

    @Test
    void malformedRemotesAreRefused() {
        for (String bad : new String[] {"", "   ", "not a url", "ftp://host/x", "https://host", "https://host/x?q=1",
                "relative/path", "https://host/x\ny/z"}) {
            assertThatThrownBy(() -> Remote.parse(bad)).as(bad).isInstanceOf(ValidationException.class);
        }
    }

    @Test
    void relativeSubmoduleUrlsResolveAgainstTheParent() {
        Remote parent = Remote.parse("https://github.com/acme/app.git");
        assertThat(parent.resolve("../lib.git").key()).isEqualTo("https://github.com/acme/lib");
        assertThat(parent.resolve("https://example.com/x/y").key()).isEqualTo("https://example.com/x/y");
    }

    @Test
    void redactHidesUserInfo() {
        assertThat(Remote.redact("see https://u:p@host/x and http://t@h/y")).isEqualTo("see https://***@host/x and http://***@h/y");
    }
}
