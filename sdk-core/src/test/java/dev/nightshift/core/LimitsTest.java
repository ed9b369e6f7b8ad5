package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.runtime.ResourceLimits;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Limits}: absent machine limits and budget by default, each {@code with…} changes one thing, bad values refused. */
class LimitsTest {
    private static final ResourceLimits SMALL = new ResourceLimits(1, 1L << 30, 100);

    @Test
    void theDefaultHasNoBudgetAndTheRuntimesMachine() {
        assertThat(Limits.DEFAULT.machineSecondsBudget()).isEmpty();
        assertThat(Limits.DEFAULT.machine()).as("absent: the runtime's default").isEmpty();
    }

    @Test
    void withChangesOneComponent() {
        Limits l = Limits.DEFAULT.withMachine(SMALL).withMachineSecondsBudget(Duration.ofMinutes(5));
        assertThat(l.machine()).contains(SMALL);
        assertThat(l.machineSecondsBudget()).contains(Duration.ofMinutes(5));
        assertThat(l.withMaxRunningMachines(2)).isEqualTo(new Limits(2, l.turnTimeout(), l.installTimeout(),
                l.machineSecondsBudget(), l.idleHibernateAfter(), l.retention(), l.machine()));
        assertThat(l.withRuntimeDefaultMachine().machine()).isEmpty();
        assertThat(l.withoutMachineSecondsBudget().machineSecondsBudget()).isEmpty();
        assertThat(l.withRuntimeDefaultMachine().withoutMachineSecondsBudget()).isEqualTo(Limits.DEFAULT);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theOldConstructorTakesANullBudget() {
        Limits old = new Limits(8, Duration.ofHours(1), Duration.ofMinutes(30), null, Duration.ofMinutes(15),
                Duration.ofDays(3));
        assertThat(old).isEqualTo(Limits.DEFAULT);
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> Limits.DEFAULT.withMaxRunningMachines(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRunningMachines");
        assertThatThrownBy(() -> Limits.DEFAULT.withTurnTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turnTimeout must be positive");
        assertThatThrownBy(() -> Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("installTimeout");
        assertThatThrownBy(() -> Limits.DEFAULT.withMachineSecondsBudget(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("machineSecondsBudget must be positive");
        assertThatThrownBy(() -> Limits.DEFAULT.withMachineSecondsBudget(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("machineSecondsBudget");
        assertThatThrownBy(() -> Limits.DEFAULT.withIdleHibernateAfter(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("idleHibernateAfter");
        assertThatThrownBy(() -> Limits.DEFAULT.withRetention(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention");
        assertThatThrownBy(() -> Limits.DEFAULT.withMachine(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("machine");
        assertThatThrownBy(() -> new Limits(1, Duration.ofMinutes(1), Duration.ofMinutes(1), null,
                Duration.ofMinutes(1), Duration.ofMinutes(1), Optional.empty()))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("Optional.empty() for no budget");
        assertThatThrownBy(() -> new Limits(1, Duration.ofMinutes(1), Duration.ofMinutes(1), Optional.empty(),
                Duration.ofMinutes(1), Duration.ofMinutes(1), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("the runtime's default");
        assertThatThrownBy(() -> new ResourceLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits must be positive");
    }
}
