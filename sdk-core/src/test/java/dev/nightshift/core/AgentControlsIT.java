package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.TurnResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Controls are commands on the agent's inbox, applied one at a time in arrival order: a stop
 * after a follow-up (from two threads) is never lost and reaches a turn blocked in its driver; a
 * refusal reaches its caller as it was thrown; a control called back from the agent's own loop
 * (the driver) or from an interrupt hook does not deadlock, and a deletion from the loop, which
 * would wait for its own end, is refused at once. (The inbox itself:
 * {@code internal.control.InboxTest}; a stop of a turn blocked in a shell command:
 * {@code AgentEngineIT.stopInterruptsAndAFollowUpResumes}; cancel: {@code AgentLifecycleIT}.)
 */
class AgentControlsIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);
    /** Longer than any wait of these tests: a control that waited for the loop it was called from would time them out. */
    static final Timeouts SLOW_STOP = Timeouts.DEFAULT.withStopWait(Duration.ofMinutes(10)).withControlWait(Duration.ofMinutes(2));

    private static boolean await(CountDownLatch l) throws InterruptedException {
        return l.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aStopAfterAFollowUpFromAnotherThreadReachesTheBlockedTurnAndIsNeverLost() throws Exception {
        TestRemote remote = TestRemote.create(dir, Map.of("README.md", "# controls\n"));
        List<String> prompts = new CopyOnWriteArrayList<>();
        CountDownLatch inTurn = new CountDownLatch(1);
        ProgrammableDriver blocker = ProgrammableDriver.of("blocker", (turn, ctx) -> {
            prompts.add(turn.prompt());
            inTurn.countDown();
            new CountDownLatch(1).await(); // blocked in the driver until the stop interrupts it
            return TurnResult.of("never");
        });
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).driver(blocker)
                .timeouts(SLOW_STOP).build()) {
            Agent a = ns.spawn(AgentRequest.builder("first", remote.url()).driver("blocker").build());
            assertThat(await(inTurn)).as("the turn is blocked in the driver").isTrue();

            Thread followUp = new Thread(() -> a.followUp("second"), "test-follow-up");
            followUp.start();
            followUp.join(WAIT.toMillis());
            assertThat(followUp.isAlive()).as("the follow-up returned").isFalse();
            AtomicReference<Throwable> stopFailed = new AtomicReference<>();
            Thread stop = new Thread(() -> {
                try {
                    a.stop();
                } catch (Throwable t) {
                    stopFailed.set(t);
                }
            }, "test-stop");
            stop.start();
            stop.join(WAIT.toMillis());
            assertThat(stop.isAlive()).as("the stop returned without waiting for the blocked turn").isFalse();
            assertThat(stopFailed.get()).isNull();

            AgentInfo stopped = a.awaitStatus(AgentStatus.STOPPED, WAIT);
            assertThat(stopped.status()).as("the stop after the follow-up wins: %s", stopped.error())
                    .isEqualTo(AgentStatus.STOPPED);
            assertThat(prompts).as("the follow-up queued before the stop never ran").containsExactly("first");
            assertThat(a.conversation()).filteredOn(m -> m.type() == ConversationMessage.Type.USER_MESSAGE)
                    .extracting(ConversationMessage::text).containsExactly("first", "second");

            // refusals reach the caller as the agent threw them, type and message
            a.cancel();
            assertThat(a.awaitStatus(AgentStatus.CANCELLED, WAIT).status()).isEqualTo(AgentStatus.CANCELLED);
            String id = a.id();
            assertThatThrownBy(() -> a.followUp("third")).isExactlyInstanceOf(ConflictException.class)
                    .hasMessage("agent " + id + " is CANCELLED: it takes no follow-up");
            assertThatThrownBy(a::stop).isExactlyInstanceOf(ConflictException.class)
                    .hasMessage("agent " + id + " is CANCELLED: it cannot be stopped");
            assertThatThrownBy(() -> a.followUp(" ")).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessage("follow-up prompt must not be blank");
            assertThatThrownBy(a::takeOver).isExactlyInstanceOf(ConflictException.class)
                    .hasMessage("agent " + id + " has no machine to take over (status CANCELLED)");
            ns.closeAndRemoveMachines();
        }
    }

    @Test
    void controlsCalledBackFromTheDriverAndFromAnInterruptHookNeitherDeadlockNorWaitForThemselves() throws Exception {
        TestRemote remote = TestRemote.create(dir, Map.of("README.md", "# controls\n"));
        AtomicReference<Agent> self = new AtomicReference<>();
        CountDownLatch known = new CountDownLatch(1);
        CountDownLatch hookControlled = new CountDownLatch(1);
        AtomicReference<Throwable> deleteRefused = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        ProgrammableDriver callback = ProgrammableDriver.of("callback", (turn, ctx) -> {
            try {
                known.await();
                Agent agent = self.get();
                if (turn.prompt().equals("stop yourself")) {
                    ctx.onInterrupt(() -> {
                        agent.handBack(); // a control from the hook's thread, while the stop is being applied
                        hookControlled.countDown();
                    });
                    agent.stop(); // on the loop's own thread: the stop interrupts this very thread
                    Thread.interrupted();
                    return TurnResult.of("stopped myself");
                }
                try {
                    agent.delete(); // on the loop's own thread: it cannot wait for its own end
                } catch (IllegalStateException e) {
                    deleteRefused.set(e);
                }
                return TurnResult.of("tried to delete myself");
            } catch (Throwable t) {
                failed.set(t);
                throw t;
            }
        });
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).driver(callback)
                .timeouts(SLOW_STOP).build()) {
            Agent a = ns.spawn(AgentRequest.builder("stop yourself", remote.url()).driver("callback").build());
            self.set(a);
            known.countDown();
            AgentInfo stopped = a.awaitStatus(AgentStatus.STOPPED, WAIT);
            assertThat(failed.get()).isNull();
            assertThat(stopped.status()).as("error: %s", stopped.error()).isEqualTo(AgentStatus.STOPPED);
            assertThat(await(hookControlled)).as("the hook's control was applied").isTrue();

            a.followUp("delete yourself");
            AgentInfo finished = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(failed.get()).isNull();
            assertThat(finished.status()).as("error: %s", finished.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(deleteRefused.get()).as("refused at once, not after stopWait (10 min)")
                    .hasMessage("agent " + a.id() + " cannot be deleted from its own turn (the driver's thread): its"
                            + " turn would have to end first; stop or cancel it there, or delete it from another thread");
            a.delete(); // from here, it goes
            assertThatThrownBy(a::info).isInstanceOf(NotFoundException.class);
            ns.closeAndRemoveMachines();
        }
    }
}
