package dev.nightshift.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.ExecListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the conformance suite does not cover, on a real PostgreSQL: every event type's JSON,
 * NOTIFY waking a reader in another store and in another process, the listening connection
 * coming back after the server killed it, writers in two stores, bad credentials.
 */
class PostgresAgentStoreTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
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

    private static AgentInfo agent(String id) {
        return AgentInfo.creating(id, AgentRequest.builder("do " + id, "file:///repo.git").id(id).build(), T0);
    }

    private static AgentEvent.Warning warning(String agentId, long seq) {
        return new AgentEvent.Warning(agentId, seq, T0.plusSeconds(seq), "test", "event " + seq);
    }

    /** Waits (bounded) until {@code t} is parked in a wait: it has read the table and found nothing. */
    static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline || !t.isAlive()) {
                throw new IllegalStateException("the waiting thread never parked: " + t.getState());
            }
            Thread.onSpinWait();
            Thread.sleep(5); // polling a condition with a deadline, not synchronising on time
        }
    }

    @Test
    void everyEventTypeHasANameInTheJsonMapping() {
        Set<Class<?>> named = Arrays.stream(StoreJson.EventMixin.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::value).collect(Collectors.toSet());
        assertThat(named).as("a new AgentEvent type needs a name in StoreJson")
                .containsExactlyInAnyOrder(AgentEvent.class.getPermittedSubclasses());
    }

    @Test
    void eventsOfSeveralTypesAndARichRecordRoundTrip() {
        PostgresAgentStore s = open(TestPostgres.get().newDatabase());
        AgentInfo a = agent("a1").withStatus(AgentStatus.RUNNING, T0.plusSeconds(1)).withBranch("ns/a1", T0)
                .withMachine("m-1", "snap-1", true, T0.plusSeconds(2));
        s.put(a);
        assertThat(s.get("a1")).contains(a);
        ConversationMessage m = new ConversationMessage("m1", ConversationMessage.Type.USER_MESSAGE, "fix \"it\" ü", T0);
        List<AgentEvent> events = List.of(
                new AgentEvent.StatusChanged("a1", 1, T0, AgentStatus.CREATING, AgentStatus.RUNNING, null),
                new AgentEvent.CommandOutput("a1", 2, T0, "setup", ExecListener.Stream.STDERR, "line \u0001 and \u0000 with controls"),
                new AgentEvent.MessageAdded("a1", 3, T0, m),
                new AgentEvent.TakeOverChanged("a1", 4, T0, true));
        events.forEach(s::append);
        assertThat(s.events("a1", 0, 10)).containsExactlyElementsOf(events);
        assertThat(s.conversation("a1")).isEmpty();
        ConversationMessage nul = new ConversationMessage("m2", ConversationMessage.Type.ASSISTANT_MESSAGE, "a \u0000 b", T0);
        s.appendMessage("a1", nul);
        assertThat(s.conversation("a1")).containsExactly(nul);
    }

    @Test
    void aNulInAQueriedFieldIsRefusedClearlyAndStoresNothing() {
        PostgresAgentStore s = open(TestPostgres.get().newDatabase());
        AgentInfo bad = AgentInfo.creating("a1", AgentRequest.builder("x", "file:///repo.git").id("a1")
                .label("team", "a\u0000b").build(), T0);
        assertThatThrownBy(() -> s.put(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
        assertThat(s.get("a1")).isEmpty();
        s.put(agent("a1")); // control: the same id without the NUL is stored
        assertThat(s.get("a1")).isPresent();
    }

    @Test
    void aReaderInAnotherStoreIsWokenByNotifyNotByPolling() throws Exception {
        String url = TestPostgres.get().newDatabase();
        PostgresAgentStore writer = open(url);
        PostgresAgentStore reader = open(url);
        writer.put(agent("a1"));
        writer.append(warning("a1", 1));
        AtomicReference<List<AgentEvent>> got = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                got.set(reader.awaitEvents("a1", 1, 10, Duration.ofSeconds(60)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.start();
        awaitParked(waiting); // it read the table, found nothing after 1, and waits on the notification
        writer.put(agent("other"));
        writer.append(warning("other", 1)); // another agent's event does not end the wait
        long appended = System.nanoTime();
        writer.append(warning("a1", 2));
        waiting.join(TimeUnit.SECONDS.toMillis(30)); // well under the 60 s the reader would wait without NOTIFY
        assertThat(waiting.isAlive()).as("woken by NOTIFY").isFalse();
        System.out.println("notify latency to another store (ms, informational): "
                + (System.nanoTime() - appended) / 1_000_000);
        assertThat(got.get()).extracting(AgentEvent::sequence).containsExactly(2L);
    }

    @Test
    void withNothingNewAWaitEndsEmptyAtItsTimeout() throws Exception {
        PostgresAgentStore s = open(TestPostgres.get().newDatabase());
        s.put(agent("a1"));
        s.append(warning("a1", 1));
        assertThat(s.awaitEvents("a1", 0, 10, Duration.ofMillis(200))).as("already there: no wait").hasSize(1);
        assertThat(s.awaitEvents("a1", 1, 10, Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void aReaderInAnotherProcessSeesANewEventThroughNotify() throws Exception {
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        PostgresAgentStore writer = open(url);
        writer.put(agent("a1"));
        writer.append(warning("a1", 1)); // the reader reads it to warm up, then waits for what follows
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process reader = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NotifyReaderMain.class.getName(), url, TestPostgres.USER, "a1", "1").redirectErrorStream(true).start();
        try {
            try (Writer in = new java.io.OutputStreamWriter(reader.getOutputStream(), StandardCharsets.UTF_8)) {
                in.write(pg.password + "\n");
            }
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8))) {
                    r.lines().forEach(lines::add);
                } catch (java.io.IOException e) {
                    lines.add("pump: " + e);
                }
            });
            pump.setDaemon(true);
            pump.start();
            List<String> seen = new ArrayList<>();
            String line;
            while (!"READY".equals(line = lines.poll(60, TimeUnit.SECONDS))) {
                assertThat(line).as("the reader process got ready; it said " + seen).isNotNull();
                seen.add(line);
            }
            writer.append(warning("a1", 2));
            String got;
            do {
                got = lines.poll(30, TimeUnit.SECONDS); // the reader waits 60 s: only NOTIFY answers within 30
                assertThat(got).as("the reader's answer; before it: " + seen).isNotNull();
                seen.add(got);
            } while (!got.startsWith("GOT") && !got.equals("NOTHING"));
            assertThat(got).startsWith("GOT [2] ");
            System.out.println("notify latency to another process (ms, after READY, informational): "
                    + got.substring("GOT [2] ".length()));
            assertThat(reader.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(reader.exitValue()).isZero();
        } finally {
            reader.destroyForcibly();
        }
    }

    @Test
    void theListeningConnectionComesBackAfterTheServerDropsIt() throws Exception {
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        PostgresAgentStore writer = open(url);
        PostgresAgentStore reader = open(url);
        writer.put(agent("a1"));
        String database = url.substring(url.lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(url, pg.credentials()); Statement st = c.createStatement()) {
            int killed = 0;
            try (ResultSet rs = st.executeQuery("select pg_terminate_backend(pid) from pg_stat_activity where datname = '"
                    + database + "' and application_name = 'nightshift-store-listen'")) {
                while (rs.next()) {
                    killed++;
                }
            }
            assertThat(killed).as("both stores' listening connections").isEqualTo(2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int listening;
            do {
                assertThat(System.nanoTime()).as("listening again within 60 s").isLessThan(deadline);
                Thread.sleep(20); // polling a condition with a deadline
                try (ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where datname = '"
                        + database + "' and application_name = 'nightshift-store-listen'")) {
                    rs.next();
                    listening = rs.getInt(1);
                }
            } while (listening < 2 || !reader.listening());
        }
        AtomicReference<List<AgentEvent>> got = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                got.set(reader.awaitEvents("a1", 0, 10, Duration.ofSeconds(60)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.start();
        awaitParked(waiting);
        writer.append(warning("a1", 1));
        waiting.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(waiting.isAlive()).as("woken by NOTIFY on the new connection").isFalse();
        assertThat(got.get()).extracting(AgentEvent::sequence).containsExactly(1L);
    }

    @Test
    void writersInTwoStoresNeverLeaveAGapOrADuplicate() throws Exception {
        String url = TestPostgres.get().newDatabase();
        List<PostgresAgentStore> stores = List.of(open(url), open(url));
        stores.get(0).put(agent("a1"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                PostgresAgentStore s = stores.get(w % 2);
                done.add(pool.submit(() -> {
                    int conflicts = 0;
                    for (int written = 0; written < 20; ) {
                        try {
                            s.append(warning("a1", s.lastSequence("a1") + 1));
                            written++;
                        } catch (ConflictException e) {
                            conflicts++;
                        }
                    }
                    return conflicts;
                }));
            }
            for (Future<Integer> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<AgentEvent> all = stores.get(1).events("a1", 0, 1000);
        assertThat(all).extracting(AgentEvent::sequence)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 80).boxed().toList());
    }

    @Test
    void aWrongPasswordIsAClearErrorThatDoesNotShowThePassword() {
        String url = TestPostgres.get().newDatabase();
        assertThatThrownBy(() -> PostgresAgentStore.builder(url).user(TestPostgres.USER).password("not-the-secret-4711")
                .connectTimeout(Duration.ofSeconds(5)).open())
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining("unavailable")
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(e.toString()).doesNotContain("not-the-secret-4711"));
        assertThatThrownBy(() -> PostgresAgentStore.builder(url + "?password=x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password(...)");
        assertThatThrownBy(() -> PostgresAgentStore.builder("postgresql://host/db"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql://");
        assertThat(PostgresAgentStore.builder(url).password("not-the-secret-4711").toString())
                .doesNotContain("not-the-secret-4711");
    }

    @Test
    void deletePurgesTheRowsOfThatAgent() throws Exception {
        TestPostgres pg = TestPostgres.get();
        String url = pg.newDatabase();
        PostgresAgentStore s = open(url);
        s.put(agent("a1"));
        s.append(warning("a1", 1));
        s.appendMessage("a1", new ConversationMessage("m1", ConversationMessage.Type.USER_MESSAGE, "hi", T0));
        s.acquireLease("a1", "engine-a", Duration.ofSeconds(30));
        s.delete("a1");
        try (Connection c = DriverManager.getConnection(url, pg.credentials()); Statement st = c.createStatement()) {
            for (String table : List.of("agents where id", "events where agent_id", "messages where agent_id",
                    "leases where agent_id")) {
                try (ResultSet rs = st.executeQuery("select count(*) from " + table + " = 'a1'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(table).isZero();
                }
            }
        }
        s.append(warning("a1", 1)); // an agent created again under that id starts from 1
        assertThat(s.lastSequence("a1")).isEqualTo(1);
    }
}
