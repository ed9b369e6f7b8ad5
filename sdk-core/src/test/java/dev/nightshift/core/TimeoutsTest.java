package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeoutsTest {

    @Test
    void theDefaultsAreTheWaitsTheEngineHadFixed() {
        assertThat(Timeouts.DEFAULT.stopWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(Timeouts.DEFAULT.shutdownWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(Timeouts.DEFAULT.buildWait()).isEqualTo(Duration.ofHours(2));
        assertThat(Timeouts.DEFAULT.machineWait()).isEqualTo(Duration.ofHours(24));
        assertThat(Timeouts.DEFAULT.hibernationWait()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void eachWaitCanBeChangedAlone() {
        Timeouts t = Timeouts.DEFAULT.withStopWait(Duration.ofSeconds(5)).withBuildWait(Duration.ofMinutes(20));
        assertThat(t).isEqualTo(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMinutes(20),
                Duration.ofHours(24), Duration.ofMinutes(10)));
        assertThat(t.withShutdownWait(Duration.ofSeconds(1)).shutdownWait()).isEqualTo(Duration.ofSeconds(1));
        assertThat(t.withMachineWait(Duration.ofSeconds(2)).machineWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.withHibernationWait(Duration.ofSeconds(3)).hibernationWait()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aWaitMustBePositive() {
        assertThatThrownBy(() -> Timeouts.DEFAULT.withStopWait(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopWait must be positive");
        assertThatThrownBy(() -> Timeouts.DEFAULT.withBuildWait(Duration.ofSeconds(-1)))
                .hasMessageContaining("buildWait must be positive");
        assertThatThrownBy(() -> Timeouts.DEFAULT.withShutdownWait(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Timeouts.DEFAULT.withMachineWait(Duration.ZERO)).hasMessageContaining("machineWait");
        assertThatThrownBy(() -> Timeouts.DEFAULT.withHibernationWait(Duration.ZERO))
                .hasMessageContaining("hibernationWait");
    }
}
