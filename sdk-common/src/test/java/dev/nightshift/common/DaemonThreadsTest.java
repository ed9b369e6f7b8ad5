package dev.nightshift.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
    @Test
    void namedThreadsAreDaemonsWithTheName() {
        ThreadFactory f = DaemonThreads.named("nightshift-test");
        Thread a = f.newThread(() -> { });
        Thread b = f.newThread(() -> { });
        assertThat(a.isDaemon()).isTrue();
        assertThat(a.getName()).isEqualTo("nightshift-test");
        assertThat(b.getName()).isEqualTo("nightshift-test");
        assertThat(a.getState()).as("not started").isEqualTo(Thread.State.NEW);
    }

    @Test
    void numberedThreadsCountPerFactory() {
        ThreadFactory f = DaemonThreads.numbered("nightshift-io-");
        assertThat(f.newThread(() -> { }).getName()).isEqualTo("nightshift-io-1");
        assertThat(f.newThread(() -> { }).getName()).isEqualTo("nightshift-io-2");
        assertThat(DaemonThreads.numbered("nightshift-other-").newThread(() -> { }).getName())
                .isEqualTo("nightshift-other-1");
    }

    @Test
    void aThreadRunsItsTask() throws InterruptedException {
        boolean[] ran = new boolean[1];
        Thread t = DaemonThreads.daemon(() -> ran[0] = true, "nightshift-once");
        assertThat(t.isDaemon()).isTrue();
        t.start();
        t.join(java.time.Duration.ofSeconds(10).toMillis());
        assertThat(ran[0]).isTrue();
    }

    @Test
    void aThreadWithoutANameIsRefused() {
        assertThatThrownBy(() -> DaemonThreads.named(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> DaemonThreads.numbered(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
