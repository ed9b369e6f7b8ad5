package dev.nightshift.core.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseMachineTest {

    private static PhaseMachine walk(List<Phase> path) {
        PhaseMachine m = new PhaseMachine();
        path.forEach(m::moveTo);
        return m;
    }

    @Test
    void aNewAgentGoesThroughEveryStageInOrderAndTakesTurns() {
        PhaseMachine m = walk(List.of(Phase.FETCH, Phase.SPEC, Phase.SECRETS, Phase.BUILD, Phase.START_MACHINE,
                Phase.CHECKOUT, Phase.INSTALL, Phase.START, Phase.TERMINALS, Phase.TURN, Phase.AFTER_TURN,
                Phase.HANDOFF, Phase.TURN, Phase.AFTER_TURN, Phase.HANDOFF));
        assertThat(m.current()).isEqualTo(Phase.HANDOFF);
    }

    @Test
    void aHibernatedMachineIsRestoredAfterAHandoffAndAfterARestart() {
        assertThat(walk(List.of(Phase.FETCH, Phase.SPEC, Phase.SECRETS, Phase.BUILD, Phase.START_MACHINE,
                Phase.CHECKOUT, Phase.TERMINALS, Phase.TURN, Phase.AFTER_TURN, Phase.HANDOFF, Phase.START,
                Phase.TERMINALS, Phase.TURN)).current()).isEqualTo(Phase.TURN);
        // an agent from before a restart: restored (start blank) or adopted (its machine runs)
        assertThat(walk(List.of(Phase.TERMINALS, Phase.TURN)).current()).isEqualTo(Phase.TURN);
        assertThat(walk(List.of(Phase.TURN)).current()).isEqualTo(Phase.TURN);
    }

    @Test
    void aCreateAStopCutShortBeforeItsCheckoutStartsOverAtFetch() {
        PhaseMachine m = walk(List.of(Phase.FETCH, Phase.SPEC, Phase.SECRETS, Phase.BUILD));
        assertThat(m.createCutShort()).isTrue();
        m.moveTo(Phase.FETCH);
        assertThat(walk(List.of(Phase.FETCH, Phase.SPEC, Phase.SECRETS, Phase.BUILD, Phase.START_MACHINE))
                .createCutShort()).isTrue();
        assertThat(new PhaseMachine().createCutShort()).as("not begun (or adopted after a restart)").isFalse();
        PhaseMachine checkedOut = walk(List.of(Phase.FETCH, Phase.SPEC, Phase.SECRETS, Phase.BUILD,
                Phase.START_MACHINE, Phase.CHECKOUT));
        assertThat(checkedOut.createCutShort()).as("past the checkout a turn may follow").isFalse();
        assertThatThrownBy(() -> checkedOut.moveTo(Phase.FETCH)).isInstanceOf(IllegalStateException.class);
        assertThat(walk(List.of(Phase.TURN, Phase.AFTER_TURN, Phase.HANDOFF)).createCutShort()).isFalse();
    }

    @Test
    void anIllegalMoveIsRefusedNamingBothPhases() {
        PhaseMachine m = walk(List.of(Phase.FETCH));
        assertThatThrownBy(() -> m.moveTo(Phase.TURN)).isInstanceOf(IllegalStateException.class)
                .hasMessage("illegal phase transition from FETCH to TURN");
        assertThat(m.current()).as("a refused move changes nothing").isEqualTo(Phase.FETCH);
        PhaseMachine t = walk(List.of(Phase.TURN));
        assertThatThrownBy(() -> t.moveTo(Phase.HANDOFF)).hasMessage("illegal phase transition from TURN to HANDOFF");
    }

    @Test
    void everyPhaseHasARowAndEveryPhaseButCreateCanBeReached() {
        for (Phase from : Phase.values()) {
            assertThat(PhaseMachine.LEGAL).containsKey(from);
        }
        for (Phase to : Phase.values()) {
            boolean reachable = PhaseMachine.LEGAL.values().stream().anyMatch(s -> s.contains(to));
            assertThat(reachable).as(to + " reachable").isEqualTo(to != Phase.CREATE);
        }
    }

    @Test
    void labelsAreTheNamesEventsUsed() {
        assertThat(Phase.START_MACHINE.label()).isEqualTo("start-machine");
        assertThat(Phase.AFTER_TURN.label()).isEqualTo("after-turn");
        assertThat(Phase.TURN.label()).isEqualTo("turn");
    }
}
