package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link AgentStore} meets: records, gap-free event sequences, conversations,
 * paging newest first, delete, and leases that exclude a second owner until they expire. An
 * implementation's test extends this class and opens a fresh, empty store on the given clock.
 *
 * <p><b>Thread-safety:</b> JUnit creates one instance per test. <b>Lifecycle:</b> per test; the
 * stores it opened are closed after each test.
 */
public abstract class AgentStoreConformanceTest {
    /**
     * The methods of {@link AgentStore} that {@code type} leaves to the interface's defaults: for
     * a store that wraps another, each is a feature of the wrapped store quietly switched off.
     */
    public static List<String> leftToDefaults(Class<?> type) throws NoSuchMethodException {
        List<String> left = new ArrayList<>();
        for (java.lang.reflect.Method m : AgentStore.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())
                    && type.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() == AgentStore.class) {
                left.add(m.getName());
            }
        }
        return left;
    }

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    /** A clock the suite moves by hand, for lease expiry and record times. */
    protected static final class TestClock extends Clock {
        private volatile Instant now = T0;

        public void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    protected final TestClock clock = new TestClock();
    private final List<AgentStore> opened = new ArrayList<>();

    /** A fresh, empty store that reads time from {@code clock} (for lease expiry). */
    protected abstract AgentStore open(Clock clock);

    /**
     * A second store on the same data (another engine process sharing it); by default the suite
     * skips the sharing checks' second view when this returns {@code null}.
     */
    protected AgentStore openAgain(Clock clock) {
        return null;
    }

    protected final AgentStore store() {
        AgentStore s = open(clock);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(AgentStore::close);
    }

    protected static AgentInfo agent(String id, Instant created, String team) {
        AgentRequest r = AgentRequest.builder("do " + id, "file:///repo-" + team + ".git").id(id)
                .label("team", team).build();
        return AgentInfo.creating(id, r, created);
    }

    protected static AgentEvent.Warning warning(String agentId, long sequence, String text) {
        return new AgentEvent.Warning(agentId, sequence, T0.plusSeconds(sequence), "test", text);
    }

    @Test
    protected void aRecordRoundTripsAndAMissingOneIsEmpty() {
        AgentStore s = store();
        AgentInfo a = agent("a1", T0, "x").withStatus(AgentStatus.RUNNING, T0.plusSeconds(1)).withBranch("ns/a-1a2b", T0);
        s.put(a);
        assertThat(s.get("a1")).contains(a);
        assertThat(s.get("nobody")).isEmpty();
        AgentInfo later = a.withStatus(AgentStatus.FINISHED, T0.plusSeconds(9));
        s.put(later);
        assertThat(s.get("a1")).as("put replaces").contains(later);
    }

    @Test
    protected void listingIsNewestFirstFilteredAndPagedWithoutGapsOrRepeats() {
        AgentStore s = store();
        for (int i = 0; i < 7; i++) {
            s.put(agent("a" + i, T0.plusSeconds(i), i % 2 == 0 ? "even" : "odd"));
        }
        List<String> seen = new ArrayList<>();
        AgentQuery q = AgentQuery.all().withLimit(3);
        Page<AgentInfo> page;
        int pages = 0;
        do {
            page = s.list(q);
            page.items().forEach(i -> seen.add(i.id()));
            q = q.withCursor(page.next());
            pages++;
        } while (page.next() != null && pages < 10);
        assertThat(seen).as("every agent once, newest first").containsExactly("a6", "a5", "a4", "a3", "a2", "a1", "a0");
        assertThat(s.list(AgentQuery.all().withLabels(Map.of("team", "odd"))).items())
                .extracting(AgentInfo::id).containsExactly("a5", "a3", "a1");
        s.put(s.get("a4").orElseThrow().withStatus(AgentStatus.RUNNING, T0.plusSeconds(30)));
        assertThat(s.list(AgentQuery.all().withStatuses(Set.of(AgentStatus.RUNNING))).items())
                .extracting(AgentInfo::id).containsExactly("a4");
        assertThat(s.list(AgentQuery.all().withRepository("file:///repo-even.git")).items())
                .extracting(AgentInfo::id).containsExactly("a6", "a4", "a2", "a0");
    }

    @Test
    protected void eventsAreGapFreeAndReadInPagesAfterASequence() {
        AgentStore s = store();
        s.put(agent("a1", T0, "x"));
        assertThat(s.lastSequence("a1")).isZero();
        for (long i = 1; i <= 5; i++) {
            s.append(warning("a1", i, "event " + i));
        }
        assertThat(s.lastSequence("a1")).isEqualTo(5);
        assertThat(s.events("a1", 0, 100)).extracting(AgentEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(s.events("a1", 2, 2)).extracting(AgentEvent::sequence).containsExactly(3L, 4L);
        assertThat(s.events("a1", 5, 10)).isEmpty();
        assertThat(s.events("a1", 0, 1).get(0)).isEqualTo(warning("a1", 1, "event 1"));
    }

    @Test
    protected void anEventOutOfSequenceIsAConflictAndChangesNothing() {
        AgentStore s = store();
        s.put(agent("a1", T0, "x"));
        s.append(warning("a1", 1, "first"));
        assertThatThrownBy(() -> s.append(warning("a1", 3, "a gap"))).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> s.append(warning("a1", 1, "a repeat"))).isInstanceOf(ConflictException.class);
        assertThat(s.events("a1", 0, 10)).extracting(AgentEvent::sequence).containsExactly(1L);
        s.append(warning("a1", 2, "second"));
        assertThat(s.lastSequence("a1")).isEqualTo(2);
    }

    @Test
    protected void concurrentWritersNeverLeaveAGapOrADuplicate() throws Exception {
        AgentStore s = store();
        s.put(agent("a1", T0, "x"));
        int writers = 4;
        int each = 25;
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    int written = 0;
                    while (written < each) {
                        long next = s.lastSequence("a1") + 1;
                        try {
                            s.append(warning("a1", next, "writer " + writer));
                            written++;
                        } catch (ConflictException e) {
                            conflicts.incrementAndGet(); // another writer took that number: read it again
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<AgentEvent> all = s.events("a1", 0, 1000);
        assertThat(all).hasSize(writers * each);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).sequence()).as("position %d", i).isEqualTo(i + 1L);
        }
    }

    @Test
    protected void theConversationKeepsItsOrder() {
        AgentStore s = store();
        s.put(agent("a1", T0, "x"));
        ConversationMessage m1 = new ConversationMessage("m1", ConversationMessage.Type.USER_MESSAGE, "fix it", T0);
        ConversationMessage m2 = new ConversationMessage("m2", ConversationMessage.Type.ASSISTANT_MESSAGE, "fixed",
                T0.plusSeconds(5));
        s.appendMessage("a1", m1);
        s.appendMessage("a1", m2);
        assertThat(s.conversation("a1")).containsExactly(m1, m2);
        assertThat(s.conversation("nobody")).isEmpty();
    }

    @Test
    protected void deleteRemovesRecordEventsAndConversationOfThatAgentOnly() {
        AgentStore s = store();
        s.put(agent("a1", T0, "x"));
        s.put(agent("a2", T0, "x"));
        s.append(warning("a1", 1, "one"));
        s.append(warning("a2", 1, "two"));
        s.appendMessage("a1", new ConversationMessage("m1", ConversationMessage.Type.USER_MESSAGE, "hi", T0));
        s.delete("a1");
        assertThat(s.get("a1")).isEmpty();
        assertThat(s.events("a1", 0, 10)).isEmpty();
        assertThat(s.conversation("a1")).isEmpty();
        assertThat(s.list(AgentQuery.all()).items()).extracting(AgentInfo::id).containsExactly("a2");
        assertThat(s.events("a2", 0, 10)).hasSize(1);
    }

    @Test
    protected void aLeaseExcludesAnotherOwnerUntilItExpiresOrIsReleased() {
        AgentStore s = store();
        s.put(agent("a1", T0, "x"));
        Duration ttl = Duration.ofSeconds(30);
        assertThat(s.acquireLease("a1", "engine-a", ttl)).isTrue();
        assertThat(s.acquireLease("a1", "engine-b", ttl)).as("held by engine-a").isFalse();
        assertThat(s.acquireLease("a1", "engine-a", ttl)).as("the holder renews").isTrue();
        clock.advance(Duration.ofSeconds(20));
        assertThat(s.acquireLease("a1", "engine-b", ttl)).as("renewed 20 s ago: still held").isFalse();
        clock.advance(Duration.ofSeconds(11));
        assertThat(s.acquireLease("a1", "engine-b", ttl)).as("expired: another owner takes it").isTrue();
        assertThat(s.acquireLease("a1", "engine-a", ttl)).as("the old holder lost it").isFalse();
        s.releaseLease("a1", "engine-a");
        assertThat(s.acquireLease("a1", "engine-a", ttl)).as("a release by a non-holder changes nothing").isFalse();
        s.releaseLease("a1", "engine-b");
        assertThat(s.acquireLease("a1", "engine-a", ttl)).as("released: free at once").isTrue();
    }

    @Test
    protected void aSecondStoreOnTheSameDataSeesWritesAndLeases() {
        AgentStore s = store();
        AgentStore other = openAgain(clock);
        if (other == null) {
            return; // not a shared store
        }
        opened.add(other);
        s.put(agent("a1", T0, "x"));
        s.append(warning("a1", 1, "one"));
        assertThat(other.get("a1")).isPresent();
        assertThat(other.lastSequence("a1")).isEqualTo(1);
        assertThatThrownBy(() -> other.append(warning("a1", 1, "the same number again")))
                .isInstanceOf(ConflictException.class);
        assertThat(s.acquireLease("a1", "engine-a", Duration.ofSeconds(30))).isTrue();
        assertThat(other.acquireLease("a1", "engine-b", Duration.ofSeconds(30))).isFalse();
    }
}
