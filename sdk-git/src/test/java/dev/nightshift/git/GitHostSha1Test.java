package dev.nightshift.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.util.sha1.SHA1;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitHost.Sha1}: a JVM-wide choice, made only when asked, never over the host application's. */
class GitHostSha1Test {
    @TempDir
    Path cache;
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(GitHost.SHA1_PROPERTY);
        System.clearProperty(GitHost.SHA1_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(GitHost.SHA1_PROPERTY);
        } else {
            System.setProperty(GitHost.SHA1_PROPERTY, saved);
        }
    }

    @Test
    void theDefaultLeavesTheJvmAsItIs() {
        GitHost.builder(cache).build().close();
        assertThat(System.getProperty(GitHost.SHA1_PROPERTY)).isNull();
        assertThat(SHA1.newInstance().getClass().getSimpleName()).isEqualTo("SHA1Java");
    }

    @Test
    void jdkNativeSwitchesJGitToTheJdkDigestWithTheSameIds() {
        byte[] blob = "hello\n".getBytes(StandardCharsets.UTF_8);
        ObjectId before;
        try (ObjectInserter.Formatter f = new ObjectInserter.Formatter()) {
            before = f.idFor(Constants.OBJ_BLOB, blob);
        }
        GitHost.builder(cache).sha1(GitHost.Sha1.JDK_NATIVE).build().close();
        assertThat(System.getProperty(GitHost.SHA1_PROPERTY)).isEqualTo("jdkNative");
        assertThat(SHA1.newInstance().getClass().getSimpleName()).isEqualTo("SHA1Native");
        try (ObjectInserter.Formatter f = new ObjectInserter.Formatter()) {
            assertThat(f.idFor(Constants.OBJ_BLOB, blob)).isEqualTo(before)
                    .isEqualTo(ObjectId.fromString("ce013625030ba8dba906f756967f9e9ca394464a"));
        }
        // a second host asking the same is fine
        GitHost.builder(cache).sha1(GitHost.Sha1.JDK_NATIVE).build().close();
    }

    @Test
    void jdkNativeNeverOverridesTheHostApplicationsChoice() {
        System.setProperty(GitHost.SHA1_PROPERTY, "java");
        assertThatThrownBy(() -> GitHost.builder(cache).sha1(GitHost.Sha1.JDK_NATIVE).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(GitHost.SHA1_PROPERTY + "=java");
        assertThat(System.getProperty(GitHost.SHA1_PROPERTY)).isEqualTo("java");
        assertThat(SHA1.newInstance().getClass().getSimpleName()).isEqualTo("SHA1Java");
    }
}
