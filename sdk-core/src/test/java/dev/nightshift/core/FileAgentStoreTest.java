package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Todo;
import dev.nightshift.api.TokenUsage;
import dev.nightshift.api.Page;
import dev.nightshift.api.Usage;
import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.core.internal.filestore.AgentFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAgentStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path dir;

    static AgentInfo agent(String id, Instant created, String team) {
        AgentRequest r = AgentRequest.builder("do " + id, "file:///repo.git").id(id).label("team", team).build();
        return AgentInfo.creating(id, r, created);
    }

    @Test
    void recordsRoundTripWithEveryField() {
        try (FileAgentStore store = FileAgentStore.open(dir)) {
            AgentInfo info = agent("a1", T0, "x").withStatus(AgentStatus.of("ARCHIVED"), T0.plusSeconds(1))
                    .withBranch("nightshift/do-a1-1a2b", T0).withHandoff("abc123", "did it", T0)
                    .withMachine("m1", "snapshot-1", true, T0).withTakenOver(true, T0)
                    .withUsage(Usage.NONE.plusMachineSeconds("turn", 1.5).plusTokens(10, 20)
                            .plus(new TokenUsage("m", 5, 6, 7, 8, 0.5)), T0).withLastSequence(7);
            store.put(info);
            assertThat(store.get("a1")).contains(info);
            assertThat(FileAgentStore.open(dir).get("a1")).as("a second store on the directory").contains(info);
            assertThat(store.get("missing")).isEmpty();
        }
    }

    @Test
    void aRequestIsStoredInItsShapeFromBeforeSecretsAndNeverWithThem() throws Exception {
        String value = "stored-secret-3b9d1e-value";
        AgentRequest plain = AgentRequest.builder("do s1", "file:///repo.git").id("s1").label("team", "x").build();
        AgentRequest withSecret = plain.toBuilder().secret("API_TOKEN", dev.nightshift.api.spi.SecretKind.RUNTIME, value)
                .build();
        try (FileAgentStore store = FileAgentStore.open(dir)) {
            store.put(AgentInfo.creating("s1", plain, T0));
            store.put(AgentInfo.creating("s2", withSecret.withId("s2"), T0)); // the engine never does; the mapper holds anyway
            var mapper = dev.nightshift.core.internal.Json.mapper();
            for (String id : List.of("s1", "s2")) {
                Path file = dir.resolve("agents").resolve(id).resolve("agent.json");
                String json = Files.readString(file);
                List<String> keys = new ArrayList<>();
                mapper.readTree(json).get("request").fieldNames().forEachRemaining(keys::add);
                assertThat(keys).as("the request's keys in %s", file).containsExactly("id", "prompt", "repository", "ref",
                        "branchName", "push", "driver", "model", "name", "labels");
                assertThat(json).doesNotContain("secrets").doesNotContain(value).doesNotContain("API_TOKEN");
            }
            assertThat(store.get("s2").orElseThrow().request()).isEqualTo(withSecret.withId("s2").withoutSecrets());
            // control: the same search finds what is in the file
            assertThat(Files.readString(dir.resolve("agents").resolve("s1").resolve("agent.json"))).contains("\"labels\"");
        }
    }

    @Test
    void everyEventTypeRoundTripsInOrder() {
        FileAgentStore store = FileAgentStore.open(dir);
        String id = "a1";
        List<AgentEvent> events = List.of(
                new AgentEvent.StatusChanged(id, 1, T0, null, AgentStatus.CREATING, "spawned"),
                new AgentEvent.BuildOutput(id, 2, T0, "Step 1/3"),
                new AgentEvent.CommandStarted(id, 3, T0, "install", "npm install"),
                new AgentEvent.CommandOutput(id, 4, T0, "install", ExecListener.Stream.STDERR, "warn"),
                new AgentEvent.CommandFinished(id, 5, T0, "install", 0, ExecResult.Outcome.EXITED, 1200),
                new AgentEvent.MessageAdded(id, 6, T0, new ConversationMessage("m1", ConversationMessage.Type.USER_MESSAGE, "hi", T0)),
                new AgentEvent.Warning(id, 7, T0, "snapshot-unknown", "fell back"),
                new AgentEvent.UsageReported(id, 8, T0, "turn", 2.5, 1, 2),
                new AgentEvent.HandedOff(id, 9, T0, "b", "c", true, "s"),
                new AgentEvent.TakeOverChanged(id, 10, T0, true),
                new AgentEvent.MachineChanged(id, 11, T0, "hibernated", "m", "snapshot-x"),
                new AgentEvent.AssistantDelta(id, 12, T0, "Let me"),
                new AgentEvent.ToolCallStarted(id, 13, T0, "c1", "run_terminal_cmd", "{\"command\":\"make\"}"),
                new AgentEvent.ToolCallFinished(id, 14, T0, "c1", "run_terminal_cmd", "{\"command\":\"make\"}", true,
                        "exit 2", Optional.of(2), 350),
                new AgentEvent.ToolCallFinished(id, 15, T0, "c2", "read_file", "{}", false, "text", null, 3),
                new AgentEvent.TodosUpdated(id, 16, T0, List.of(new Todo("1", "fix it", Todo.Status.IN_PROGRESS))),
                new AgentEvent.ModelUsageReported(id, 17, T0, new TokenUsage("openai:gpt-4.1", 100, 20, 64, 3, 0.0125)));
        events.forEach(store::append);
        assertThat(store.events(id, 0, 100)).containsExactlyElementsOf(events);
        assertThat(store.events(id, 9, 100)).containsExactlyElementsOf(events.subList(9, 17));
        assertThat(store.events(id, 2, 3)).containsExactlyElementsOf(events.subList(2, 5));
    }

    @Test
    void structuredConversationRoundTripsAndOldLinesStillRead() throws Exception {
        FileAgentStore store = FileAgentStore.open(dir);
        // a line written before conversations were structured
        Files.createDirectories(dir.resolve("agents/c"));
        Files.writeString(dir.resolve("agents/c/conversation.jsonl"),
                "{\"id\":\"m0\",\"type\":\"USER_MESSAGE\",\"text\":\"old\",\"time\":\"2026-01-01T00:00:00Z\"}\n");
        List<ConversationMessage> added = List.of(
                ConversationMessage.assistant("m1", "reading", List.of(new ConversationMessage.ToolCall("c1", "read_file",
                        "{\"path\":\"a.txt\"}")), T0),
                ConversationMessage.toolResult("m2", "c1", "read_file", "line 1", true, T0),
                ConversationMessage.summary("m3", "earlier: read a.txt", "m2", T0));
        added.forEach(m -> store.appendMessage("c", m));
        List<ConversationMessage> read = FileAgentStore.open(dir).conversation("c");
        assertThat(read.get(0)).isEqualTo(new ConversationMessage("m0", ConversationMessage.Type.USER_MESSAGE, "old",
                Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(read.subList(1, 4)).containsExactlyElementsOf(added);
    }

    @Test
    void refusesAGapOrARepeatInSequences() {
        FileAgentStore store = FileAgentStore.open(dir);
        store.append(new AgentEvent.Warning("a", 1, T0, "c", "m"));
        assertThatThrownBy(() -> store.append(new AgentEvent.Warning("a", 3, T0, "c", "m")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("does not follow the last stored one, 1");
        assertThatThrownBy(() -> store.append(new AgentEvent.Warning("a", 1, T0, "c", "m")))
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aWriteCutShortLosesOnlyThatEvent() throws Exception {
        FileAgentStore first = FileAgentStore.open(dir);
        first.append(new AgentEvent.Warning("a", 1, T0, "c", "one"));
        first.append(new AgentEvent.Warning("a", 2, T0, "c", "two"));
        // what a crash in the middle of the third append leaves behind
        Files.writeString(dir.resolve("agents/a/events.jsonl"), "{\"type\":\"warning\",\"agentId\":\"a\",\"seq",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        FileAgentStore second = FileAgentStore.open(dir);
        assertThat(second.events("a", 0, 10)).extracting(AgentEvent::sequence).containsExactly(1L, 2L);
        second.append(new AgentEvent.Warning("a", 3, T0, "c", "three"));
        assertThat(second.events("a", 0, 10)).extracting(e -> ((AgentEvent.Warning) e).message())
                .containsExactly("one", "two", "three");
    }

    @Test
    void listsNewestFirstWithFiltersAndCursor() {
        FileAgentStore store = FileAgentStore.open(dir);
        for (int i = 0; i < 7; i++) {
            store.put(agent("a" + i, T0.plusSeconds(i), i % 2 == 0 ? "even" : "odd"));
        }
        store.put(agent("a1", T0.plusSeconds(1), "odd").withStatus(AgentStatus.RUNNING, T0));
        List<String> seen = new ArrayList<>();
        AgentQuery q = AgentQuery.all().withLimit(2);
        Page<AgentInfo> page = store.list(q);
        while (true) {
            page.items().forEach(a -> seen.add(a.id()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            page = store.list(q.withCursor(page.nextCursor().get()));
        }
        assertThat(seen).containsExactly("a6", "a5", "a4", "a3", "a2", "a1", "a0");
        assertThat(store.list(AgentQuery.all().withLabels(Map.of("team", "odd"))).items())
                .extracting(AgentInfo::id).containsExactly("a5", "a3", "a1");
        assertThat(store.list(AgentQuery.all().withStatuses(Set.of(AgentStatus.RUNNING))).items())
                .extracting(AgentInfo::id).containsExactly("a1");
        assertThatThrownBy(() -> store.list(AgentQuery.all().withCursor("garbage")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leasesKeepASecondOwnerOutUntilExpiryOrRelease() {
        MutableClock clock = new MutableClock();
        FileAgentStore a = FileAgentStore.open(dir, clock);
        FileAgentStore b = FileAgentStore.open(dir, clock);
        assertThat(a.acquireLease("x", "engine-a", Duration.ofSeconds(30))).isTrue();
        assertThat(b.acquireLease("x", "engine-b", Duration.ofSeconds(30))).as("held by a").isFalse();
        assertThat(a.acquireLease("x", "engine-a", Duration.ofSeconds(30))).as("renewal").isTrue();
        clock.now = clock.now.plusSeconds(31);
        assertThat(b.acquireLease("x", "engine-b", Duration.ofSeconds(30))).as("expired").isTrue();
        a.releaseLease("x", "engine-a");
        assertThat(b.leaseHolder("x")).as("release by a non-holder does nothing").contains("engine-b");
        b.releaseLease("x", "engine-b");
        assertThat(a.acquireLease("x", "engine-a", Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void machineSlotsAreCountedAcrossStoresOnOneDirectory() throws Exception {
        MutableClock clock = new MutableClock();
        FileAgentStore a = FileAgentStore.open(dir, clock);
        FileAgentStore b = FileAgentStore.open(dir, clock);
        Duration ttl = Duration.ofSeconds(30);
        assertThat(a.acquireMachineSlot("one", "engine-a", 2, ttl)).isTrue();
        assertThat(b.acquireMachineSlot("two", "engine-b", 2, ttl)).isTrue();
        assertThat(b.acquireMachineSlot("three", "engine-b", 2, ttl)).as("two of two held").isFalse();
        assertThat(a.acquireMachineSlot("one", "engine-a", 2, ttl)).as("a holder renews its own").isTrue();
        assertThat(b.machineSlotsInUse()).isEqualTo(2);
        b.releaseMachineSlot("one", "engine-b");
        assertThat(a.machineSlotsInUse()).as("release by a non-holder does nothing").isEqualTo(2);
        a.releaseMachineSlot("one", "engine-a");
        assertThat(b.acquireMachineSlot("three", "engine-b", 2, ttl)).as("freed by a").isTrue();
        clock.now = clock.now.plusSeconds(31);
        assertThat(a.machineSlotsInUse()).as("expired slots do not count").isZero();

        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        assertThat(a.acquireMachineSlot("x", host + ":" + dead.pid() + ":nonce", 1, ttl)).isTrue();
        assertThat(b.acquireMachineSlot("y", host + ":" + ProcessHandle.current().pid() + ":me", 1, ttl))
                .as("the slot of a process that is gone does not count").isTrue();
        assertThat(a.acquireMachineSlot("z", "engine-a", 1, ttl)).as("a live holder does").isFalse();
    }

    @Test
    void deleteRemovesEverything() {
        FileAgentStore store = FileAgentStore.open(dir);
        store.put(agent("gone", T0, "t"));
        store.append(new AgentEvent.Warning("gone", 1, T0, "c", "m"));
        store.appendMessage("gone", new ConversationMessage("1", ConversationMessage.Type.USER_MESSAGE, "x", T0));
        store.delete("gone");
        assertThat(store.get("gone")).isEmpty();
        assertThat(store.events("gone", 0, 10)).isEmpty();
        assertThat(store.conversation("gone")).isEmpty();
        assertThat(dir.resolve("agents/gone")).doesNotExist();
        store.append(new AgentEvent.Warning("gone", 1, T0, "c", "new life starts at 1"));
    }

    @Test
    void hostileIdsNeverReachTheFilesystem() {
        FileAgentStore store = FileAgentStore.open(dir);
        assertThatThrownBy(() -> store.get("../../etc")).isInstanceOf(IllegalArgumentException.class);
    }

    static final class MutableClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void progressOnlyRecordsAreReadBackAndAStatusChangeSyncsTheRecordItself() throws Exception {
        FileAgentStore store = FileAgentStore.open(dir);
        AgentInfo running = agent("p1", T0, "x").withStatus(AgentStatus.RUNNING, T0);
        store.put(running);
        AgentInfo progressed = running.withUsage(running.usage().plusTokens(5, 6), T0.plusSeconds(1)).withLastSequence(3);
        store.put(progressed);
        Path progress = dir.resolve("agents/p1/agent.progress.jsonl");
        assertThat(progress).as("usage alone goes to the progress file").exists();
        assertThat(FileAgentStore.open(dir).get("p1")).as("a second store reads it").contains(progressed);
        assertThat(FileAgentStore.open(dir).list(AgentQuery.all()).items()).containsExactly(progressed);

        AgentInfo finished = progressed.withStatus(AgentStatus.FINISHED, T0.plusSeconds(2));
        store.put(finished);
        assertThat(progress).as("a status change replaces agent.json and drops the progress file").doesNotExist();
        assertThat(FileAgentStore.open(dir).get("p1")).contains(finished);
    }

    @Test
    void aStaleOrTornProgressFileFallsBackToTheSyncedRecord() throws Exception {
        FileAgentStore store = FileAgentStore.open(dir);
        AgentInfo running = agent("p2", T0, "x").withStatus(AgentStatus.RUNNING, T0);
        store.put(running);
        store.put(running.withUsage(running.usage().plusTokens(5, 6), T0.plusSeconds(1)).withLastSequence(3));
        Path progress = dir.resolve("agents/p2/agent.progress.jsonl");
        byte[] stale = Files.readAllBytes(progress);
        AgentInfo finished = running.withStatus(AgentStatus.FINISHED, T0.plusSeconds(2)).withLastSequence(4);
        store.put(finished);
        // what a power loss can leave: the progress file of an older record, or a torn one
        Files.write(progress, stale);
        assertThat(FileAgentStore.open(dir).get("p2")).as("a progress file of another record is ignored").contains(finished);
        Files.writeString(progress, "{\"id\":\"p2\",\"sta");
        assertThat(FileAgentStore.open(dir).get("p2")).as("a torn progress file is ignored").contains(finished);
        // control: a progress file of this very record is read
        AgentInfo progressed = finished.withUsage(finished.usage().plusTokens(1, 1), T0.plusSeconds(3)).withLastSequence(5);
        Files.writeString(progress, dev.nightshift.core.internal.Json.write(progressed) + "\n");
        assertThat(FileAgentStore.open(dir).get("p2")).contains(progressed);
        // a line cut short by a kill after it: the last complete line counts
        Files.writeString(progress, "{\"id\":\"p2\",\"sta", StandardOpenOption.APPEND);
        assertThat(FileAgentStore.open(dir).get("p2")).contains(progressed);
    }

    @Test
    void theLastOfManyLargeProgressRecordsIsRead() {
        // records larger than the tail window the progress file is read back with
        FileAgentStore store = FileAgentStore.open(dir);
        AgentRequest r = AgentRequest.builder("x".repeat(40_000), "file:///repo.git").id("big").build();
        AgentInfo info = AgentInfo.creating("big", r, T0).withStatus(AgentStatus.RUNNING, T0);
        store.put(info);
        for (int i = 1; i <= 5; i++) {
            info = info.withUsage(info.usage().plusTokens(i, i), T0.plusSeconds(i)).withLastSequence(i);
            store.put(info);
        }
        assertThat(FileAgentStore.open(dir).get("big")).contains(info);
    }

    @Test
    void progressOnlyMeansUsageTimeAndSequenceMovingForward() {
        AgentInfo a = agent("p3", T0, "x").withStatus(AgentStatus.RUNNING, T0);
        assertThat(AgentFiles.progressOnly(a, a.withUsage(a.usage().plusTokens(1, 2), T0.plusSeconds(1))
                .withLastSequence(2))).isTrue();
        assertThat(AgentFiles.progressOnly(a, a.withStatus(AgentStatus.FINISHED, T0))).isFalse();
        assertThat(AgentFiles.progressOnly(a, a.withError("boom", T0))).isFalse();
        assertThat(AgentFiles.progressOnly(a, a.withTakenOver(true, T0))).isFalse();
        assertThat(AgentFiles.progressOnly(a.withLastSequence(5), a.withLastSequence(4))).as("backwards").isFalse();
    }

    @Test
    void syncWritesWhatIsPendingAndAClosedStoreLeavesNothingPending() {
        FileAgentStore store = FileAgentStore.open(dir, Clock.systemUTC(), Duration.ofHours(1));
        store.append(new AgentEvent.Warning("s", 1, T0, "c", "one"));
        store.sync();
        store.append(new AgentEvent.Warning("s", 2, T0, "c", "two"));
        store.close();
        assertThat(FileAgentStore.open(dir).events("s", 0, 10)).extracting(AgentEvent::sequence).containsExactly(1L, 2L);
        assertThatThrownBy(() -> FileAgentStore.open(dir, Clock.systemUTC(), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sync interval");
    }

    @Test
    void anInterruptedThreadWritesAndReadsRecordsEventsAndConversation() {
        // the engine calls these on agent threads that a stop interrupts: NIO would throw ClosedByInterruptException
        FileAgentStore store = FileAgentStore.open(dir);
        AgentInfo running = agent("i1", T0, "x").withStatus(AgentStatus.RUNNING, T0);
        AgentInfo progressed = running.withUsage(running.usage().plusTokens(1, 2), T0.plusSeconds(1)).withLastSequence(1);
        ConversationMessage m = new ConversationMessage("m1", ConversationMessage.Type.USER_MESSAGE, "hi", T0);
        Thread.currentThread().interrupt();
        try {
            store.put(running);
            store.append(new AgentEvent.Warning("i1", 1, T0, "c", "one"));
            store.appendMessage("i1", m);
            store.put(progressed);
            assertThat(store.get("i1")).contains(progressed);
            assertThat(store.events("i1", 0, 10)).hasSize(1);
            assertThat(store.conversation("i1")).containsExactly(m);
            assertThat(store.lastSequence("i1")).isEqualTo(1);
            store.sync();
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is left as it was").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(FileAgentStore.open(dir).get("i1")).contains(progressed);
    }
}
