package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.TakeOver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Two engines on one state directory (as two processes share it): engine B controls an agent
 * engine A drives, through the store's control inbox. B's take-over pauses A's driver and gives a
 * session on the agent's machine, its follow-up is queued in A, its hand-back lets A go on; its
 * failures are the same exceptions, with the same messages, as A's own; its delete removes the
 * agent from A. B never drives the agent: A's local listener and wait see everything.
 */
class RemoteControlIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void anotherEngineTakesOverFollowsUpHandsBackCancelsAndDeletes() throws Exception {
        TestRemote remote = TestRemote.create(dir, AgentEngineIT.project("remote-control"));
        String gate = "/tmp/nightshift-remote-gate";
        String prompt = "echo agent-before > before.txt\nuntil [ -f " + gate + " ]; do sleep 0.1; done\n"
                + "echo first-step-done\n# checkpoint\ncat human.txt > seen-by-agent.txt";
        try (Nightshift a = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state")).build();
                Nightshift b = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                        .controlTimeout(Duration.ofMinutes(1)).build()) {
            Agent mine = a.spawn(AgentRequest.builder(prompt, remote.url()).build());
            Agent theirs = b.agent(mine.id());
            CountDownLatch firstStepStarted = new CountDownLatch(1);
            CountDownLatch firstStepEnded = new CountDownLatch(1);
            AtomicBoolean sawFirstStepOutput = new AtomicBoolean();
            try (var sub = mine.addListener(e -> {
                if (e instanceof AgentEvent.CommandStarted c && "turn".equals(c.phase()) && c.command().contains("agent-before")) {
                    firstStepStarted.countDown();
                } else if (e instanceof AgentEvent.CommandOutput o && o.line().contains("first-step-done")) {
                    sawFirstStepOutput.set(true);
                } else if (e instanceof AgentEvent.CommandFinished f && "turn".equals(f.phase()) && sawFirstStepOutput.get()) {
                    firstStepEnded.countDown();
                }
            }, 0)) {
                assertThat(firstStepStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first step to start").isTrue();
                TakeOver t = theirs.takeOver("bob");
                assertThat(t.attach().window()).isEqualTo("bob");
                assertThat(t.attach().command()).contains("tmux", "attach");
                assertThat(mine.info().takenOver()).as("taken over in the engine that drives it").isTrue();
                AgentEngineIT.exec(t.session(), "touch " + gate);
                assertThat(firstStepEnded.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("the first step to end after the human opened the gate").isTrue();
                AgentEngineIT.exec(t.session(), "echo from-the-human > human.txt");
                theirs.followUp("echo again > again.txt");
                assertThat(mine.events(0, 100_000)).as("the driver waits at its checkpoint for the hand-back")
                        .noneMatch(e -> e instanceof AgentEvent.CommandStarted c && c.command().contains("cat human.txt"));
                theirs.handBack();
            }
            AgentInfo done = mine.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(done.takenOver()).isFalse();
            assertThat(remote.show(done.branch().orElseThrow(), "seen-by-agent.txt")).isEqualTo("from-the-human\n");
            assertThat(remote.show(done.branch().orElseThrow(), "again.txt")).as("the remote follow-up ran in A").isEqualTo("again\n");

            // failures travel back as the same exceptions with the same messages
            Throwable local = catchThrowable(() -> mine.followUp(" "));
            Throwable remoteOne = catchThrowable(() -> theirs.followUp(" "));
            assertThat(local).isInstanceOf(IllegalArgumentException.class);
            assertThat(remoteOne).isExactlyInstanceOf(local.getClass()).hasMessage(local.getMessage());

            theirs.cancel();
            assertThat(mine.awaitStatus(AgentStatus.CANCELLED, WAIT).status()).isEqualTo(AgentStatus.CANCELLED);
            Throwable localConflict = catchThrowable(() -> mine.followUp("echo late"));
            Throwable remoteConflict = catchThrowable(() -> theirs.followUp("echo late"));
            assertThat(localConflict).isInstanceOf(ConflictException.class);
            assertThat(remoteConflict).isExactlyInstanceOf(ConflictException.class).hasMessage(localConflict.getMessage());

            theirs.delete();
            assertThat(a.get(mine.id())).as("deleted in the engine that drove it").isEmpty();
            assertThat(b.get(mine.id())).isEmpty();
        }
        assertThat(dir.resolve("state/controls")).as("every command and result was taken out of the inbox")
                .isEmptyDirectory();
    }

    @Test
    void theSweepPurgesControlsASenderLeftBehindLongAgo() throws Exception {
        java.nio.file.Path state = dir.resolve("purge-state");
        java.time.Instant now = java.time.Instant.now();
        dev.nightshift.api.spi.ControlCommand old = new dev.nightshift.api.spi.ControlCommand("left-behind", "bc-gone",
                "stop", null, now.minus(Duration.ofHours(2)));
        dev.nightshift.api.spi.ControlCommand recent = new dev.nightshift.api.spi.ControlCommand("recent", "bc-gone",
                "stop", null, now.minus(Duration.ofMinutes(5)));
        try (FileAgentStore sender = FileAgentStore.open(state)) { // a process that sent them and died
            sender.submitControl(old);
            sender.submitControl(recent);
        }
        java.nio.file.Path inbox = state.resolve("controls");
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(state)
                .sweepInterval(Duration.ofMillis(50)).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (java.nio.file.Files.exists(inbox.resolve("bc-gone~left-behind.cmd")) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polled: the sweep runs on its own thread
            }
            assertThat(inbox.resolve("bc-gone~left-behind.cmd")).as("older than the hour").doesNotExist();
            assertThat(inbox.resolve("bc-gone~recent.cmd")).as("within the hour").exists();
        }
    }
}
