package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control inbox of {@link PostgresAgentStore} between two stores on one database (as two
 * engine processes use it): claimed once and only for its agent, the result reaches the sender
 * once, a withdrawn command never runs, a waiting claimer gets a command sent while it waits.
 */
class PostgresControlsTest {
    private final List<PostgresAgentStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(PostgresAgentStore::close);
    }

    private PostgresAgentStore open(String url) {
        PostgresAgentStore s = TestPostgres.get().store(url).open();
        opened.add(s);
        return s;
    }

    @Test
    void aCommandIsClaimedOnceByItsAgentsHolderAndItsResultReachesTheSender() {
        String url = TestPostgres.get().newDatabase();
        PostgresAgentStore sender = open(url);
        PostgresAgentStore holder = open(url);
        assertThat(sender.supportsControls()).isTrue();
        ControlCommand c = ControlCommand.of("bc-1", "followUp", "echo again");
        sender.submitControl(c);
        assertThat(holder.claimControls(Set.of("bc-2"), Duration.ZERO)).as("not for another agent's holder").isEmpty();
        assertThat(holder.claimControls(Set.of("bc-1"), Duration.ZERO)).extracting(ControlCommand::id)
                .containsExactly(c.id());
        assertThat(sender.claimControls(Set.of("bc-1"), Duration.ZERO)).as("claimed once").isEmpty();
        assertThat(sender.withdrawControl("bc-1", c.id())).as("too late to withdraw").isFalse();
        assertThat(sender.awaitControlResult("bc-1", c.id(), Duration.ZERO)).isEmpty();
        holder.completeControl(ControlResult.failed(c, "ConflictException", "agent bc-1 is CANCELLED"));
        assertThat(sender.awaitControlResult("bc-1", c.id(), Duration.ofSeconds(5)))
                .contains(new ControlResult(c.id(), "bc-1", "ConflictException", "agent bc-1 is CANCELLED", null));
        assertThat(sender.awaitControlResult("bc-1", c.id(), Duration.ZERO)).as("read once").isEmpty();
    }

    @Test
    void controlsLeftBySendersThatGaveUpArePurgedByAgeAndFreshOnesKept() {
        String url = TestPostgres.get().newDatabase();
        PostgresAgentStore sender = open(url);
        PostgresAgentStore holder = open(url);
        java.time.Instant now = java.time.Instant.now();
        ControlCommand old = new ControlCommand("old-1", "bc-1", "stop", null, now.minus(Duration.ofHours(3)));
        ControlCommand oldClaimed = new ControlCommand("old-2", "bc-2", "stop", null, now.minus(Duration.ofHours(3)));
        ControlCommand fresh = ControlCommand.of("bc-1", "followUp", "echo again");
        sender.submitControl(old);
        sender.submitControl(oldClaimed);
        sender.submitControl(fresh);
        assertThat(holder.claimControls(Set.of("bc-2"), Duration.ZERO)).extracting(ControlCommand::id)
                .containsExactly(oldClaimed.id());

        assertThat(holder.purgeControls(now.minus(Duration.ofHours(1)))).as("the pending and the claimed old one")
                .isEqualTo(2);
        assertThat(holder.claimControls(Set.of("bc-1"), Duration.ZERO)).extracting(ControlCommand::id)
                .containsExactly(fresh.id());
        holder.completeControl(ControlResult.failed(fresh, "ConflictException", "no"));
        assertThat(holder.purgeControls(now.minus(Duration.ofHours(1)))).as("a fresh answer stays").isZero();
        assertThat(sender.awaitControlResult("bc-1", fresh.id(), Duration.ofSeconds(5))).isPresent();
    }

    @Test
    void aWithdrawnCommandIsNeverClaimedAndAWaitingClaimerGetsANewOne() throws Exception {
        String url = TestPostgres.get().newDatabase();
        PostgresAgentStore sender = open(url);
        PostgresAgentStore holder = open(url);
        ControlCommand gone = ControlCommand.of("bc-1", "stop", null);
        sender.submitControl(gone);
        assertThat(sender.withdrawControl("bc-1", gone.id())).isTrue();
        assertThat(holder.claimControls(Set.of("bc-1"), Duration.ZERO)).isEmpty();

        CompletableFuture<List<ControlCommand>> waiting = CompletableFuture.supplyAsync(
                () -> holder.claimControls(Set.of("bc-1"), Duration.ofMinutes(1)));
        ControlCommand c = ControlCommand.of("bc-1", "handBack", null);
        sender.submitControl(c);
        assertThat(waiting.get(30, TimeUnit.SECONDS)).extracting(ControlCommand::id).containsExactly(c.id());
    }
}
