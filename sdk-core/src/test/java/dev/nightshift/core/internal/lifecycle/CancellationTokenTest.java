package dev.nightshift.core.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.core.internal.lifecycle.CancellationToken.Reason;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CancellationTokenTest {

    @Test
    void aFreshTokenLetsEveryStagePass() {
        CancellationToken t = new CancellationToken();
        assertThat(t.isCancelled()).isFalse();
        assertThatCode(() -> t.throwIfStopOrCancel("a", "build")).doesNotThrowAnyException();
        assertThatCode(() -> t.throwIfCancelled("a", false)).doesNotThrowAnyException();
    }

    @Test
    void aStopEndsStagesAndIsWithdrawnByAFollowUp() {
        CancellationToken t = new CancellationToken();
        t.request(Reason.STOP);
        assertThatThrownBy(() -> t.throwIfStopOrCancel("a", "its machine started"))
                .isInstanceOf(AgentCancelledException.class).hasMessage("agent a was stopped before its machine started");
        assertThat(t.withdraw(Reason.STOP)).isTrue();
        assertThat(t.isCancelled()).isFalse();
    }

    @Test
    void aTimeoutEndsTheTurnButNotTheStagesAndACancelWinsTheMessage() {
        CancellationToken t = new CancellationToken();
        t.request(Reason.TIMEOUT);
        assertThat(t.stopOrCancel()).isFalse();
        assertThatThrownBy(() -> t.throwIfCancelled("a", false)).hasMessage("agent a was timed out");
        t.request(Reason.CANCEL);
        assertThatThrownBy(() -> t.throwIfCancelled("a", false)).hasMessage("agent a was cancelled");
    }

    @Test
    void anInterruptAloneReadsAsAStop() {
        assertThatThrownBy(() -> new CancellationToken().throwIfCancelled("a", true)).hasMessage("agent a was stopped");
    }

    @Test
    void theBoundedWaitEndsWhenTheConditionHoldsOrTheTimeIsUp() throws Exception {
        Object monitor = new Object();
        synchronized (monitor) {
            assertThat(Waits.until(monitor, () -> false, Duration.ofMillis(30))).as("time up").isFalse();
        }
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread setter = new Thread(() -> {
            try {
                waiting.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (monitor) {
                done.set(true);
                monitor.notifyAll();
            }
        });
        setter.start();
        synchronized (monitor) {
            waiting.countDown(); // the setter can only set it once this thread waits (and so lets go of the monitor)
            assertThat(Waits.until(monitor, done::get, Duration.ofMinutes(1))).isTrue();
        }
        setter.join();
    }
}
