package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control inbox of {@link FileAgentStore} between two store instances on one directory (as two
 * processes use it): a command is claimed once, only by a claimer of its agent, its result reaches
 * the sender, a waiting claimer is woken by a new command, and a withdrawn command never runs.
 */
class FileAgentStoreControlsTest {
    @TempDir
    Path dir;

    @Test
    void aCommandIsClaimedOnceByItsAgentsHolderAndItsResultReachesTheSender() {
        try (FileAgentStore sender = FileAgentStore.open(dir); FileAgentStore holder = FileAgentStore.open(dir);
                FileAgentStore other = FileAgentStore.open(dir)) {
            ControlCommand c = ControlCommand.of("bc-1", "followUp", "echo again");
            sender.submitControl(c);
            assertThat(other.claimControls(Set.of("bc-2"), Duration.ZERO)).as("not for another agent's holder").isEmpty();
            List<ControlCommand> got = holder.claimControls(Set.of("bc-1"), Duration.ZERO);
            assertThat(got).containsExactly(c);
            assertThat(other.claimControls(Set.of("bc-1"), Duration.ZERO)).as("claimed once").isEmpty();
            assertThat(sender.withdrawControl("bc-1", c.id())).as("too late to withdraw a claimed command").isFalse();
            assertThat(sender.awaitControlResult("bc-1", c.id(), Duration.ZERO)).isEmpty();

            holder.completeControl(ControlResult.failed(c, "ConflictException", "agent bc-1 is CANCELLED"));
            Optional<ControlResult> r = sender.awaitControlResult("bc-1", c.id(), Duration.ofSeconds(5));
            assertThat(r).contains(new ControlResult(c.id(), "bc-1", "ConflictException", "agent bc-1 is CANCELLED", null));
            assertThat(sender.awaitControlResult("bc-1", c.id(), Duration.ZERO)).as("read once").isEmpty();
        }
        assertThat(dir.resolve("controls")).as("nothing left in the inbox").isEmptyDirectory();
    }

    @Test
    void controlsLeftBySendersThatGaveUpArePurgedByAgeAndFreshOnesKept() {
        try (FileAgentStore sender = FileAgentStore.open(dir); FileAgentStore holder = FileAgentStore.open(dir)) {
            java.time.Instant now = java.time.Instant.now();
            ControlCommand old = new ControlCommand("old-1", "bc-1", "stop", null, now.minus(Duration.ofHours(3)));
            ControlCommand oldClaimed = new ControlCommand("old-2", "bc-2", "stop", null, now.minus(Duration.ofHours(3)));
            ControlCommand fresh = ControlCommand.of("bc-1", "followUp", "echo again");
            sender.submitControl(old);
            sender.submitControl(oldClaimed);
            sender.submitControl(fresh);
            assertThat(holder.claimControls(Set.of("bc-2"), Duration.ZERO)).containsExactly(oldClaimed);

            assertThat(holder.purgeControls(now.minus(Duration.ofHours(1)))).as("the pending and the claimed old one")
                    .isEqualTo(2);
            assertThat(holder.claimControls(Set.of("bc-1"), Duration.ZERO)).containsExactly(fresh);
            holder.completeControl(ControlResult.failed(fresh, "ConflictException", "no"));
            assertThat(holder.purgeControls(now.minus(Duration.ofHours(1)))).as("a fresh answer stays").isZero();
            assertThat(sender.awaitControlResult("bc-1", fresh.id(), Duration.ofSeconds(5))).isPresent();
        }
        assertThat(dir.resolve("controls")).isEmptyDirectory();
    }

    @Test
    void aWithdrawnCommandIsNeverClaimed() {
        try (FileAgentStore sender = FileAgentStore.open(dir); FileAgentStore holder = FileAgentStore.open(dir)) {
            ControlCommand c = ControlCommand.of("bc-1", "stop", null);
            sender.submitControl(c);
            assertThat(sender.withdrawControl("bc-1", c.id())).isTrue();
            assertThat(holder.claimControls(Set.of("bc-1"), Duration.ZERO)).isEmpty();
        }
    }

    @Test
    void aWaitingClaimerIsWokenByANewCommand() throws Exception {
        try (FileAgentStore sender = FileAgentStore.open(dir); FileAgentStore holder = FileAgentStore.open(dir)) {
            CompletableFuture<List<ControlCommand>> waiting = CompletableFuture.supplyAsync(
                    () -> holder.claimControls(Set.of("bc-1"), Duration.ofMinutes(1)));
            ControlCommand c = ControlCommand.of("bc-1", "handBack", null);
            sender.submitControl(c);
            // bounded by the future's timeout, not the claimer's minute: the new file woke it
            assertThat(waiting.get(30, TimeUnit.SECONDS)).containsExactly(c);
        }
    }

    @Test
    void commandsForAnInvalidAgentIdAreRefused() {
        try (FileAgentStore store = FileAgentStore.open(dir)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.submitControl(
                    ControlCommand.of("../x", "stop", null))).isInstanceOf(IllegalArgumentException.class);
            assertThat(Files.exists(dir.resolve("x~"))).isFalse();
        }
    }
}
