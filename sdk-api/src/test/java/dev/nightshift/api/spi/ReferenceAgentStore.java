package dev.nightshift.api.spi;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The smallest {@link AgentStore} that meets the contract: everything in memory under one lock.
 * It shows what the conformance suite asks for, and {@code ConformanceSuitesBiteTest} breaks it
 * on purpose.
 *
 * <p><b>Thread-safety:</b> thread-safe (one lock). <b>Lifecycle:</b> lives as long as the object.
 */
class ReferenceAgentStore implements AgentStore {
    private record Lease(String owner, Instant expires) {
    }

    private final Clock clock;
    private final Map<String, AgentInfo> records = new HashMap<>();
    private final Map<String, List<AgentEvent>> events = new HashMap<>();
    private final Map<String, List<ConversationMessage>> conversations = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();

    ReferenceAgentStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void put(AgentInfo info) {
        records.put(info.id(), info);
    }

    @Override
    public synchronized Optional<AgentInfo> get(String agentId) {
        return Optional.ofNullable(records.get(agentId));
    }

    @Override
    public synchronized Page<AgentInfo> list(AgentQuery query) {
        List<AgentInfo> all = records.values().stream().filter(query::matches)
                .sorted(Comparator.comparing(AgentInfo::createdAt).thenComparing(AgentInfo::id).reversed()).toList();
        int from = query.cursor() == null ? 0 : Integer.parseInt(query.cursor());
        int to = Math.min(all.size(), from + query.limit());
        return new Page<>(all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized void append(AgentEvent event) {
        List<AgentEvent> log = events.computeIfAbsent(event.agentId(), k -> new ArrayList<>());
        if (!sequenceOk(log.size(), event.sequence())) {
            throw new ConflictException("event " + event.sequence() + " of " + event.agentId() + " is out of sequence"
                    + " (last " + log.size() + ")");
        }
        log.add(event);
    }

    /** Whether {@code sequence} may follow {@code last}. */
    boolean sequenceOk(long last, long sequence) {
        return sequence == last + 1;
    }

    @Override
    public synchronized long lastSequence(String agentId) {
        return events.getOrDefault(agentId, List.of()).size();
    }

    @Override
    public synchronized List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        return events.getOrDefault(agentId, List.of()).stream().filter(e -> e.sequence() > afterSequence)
                .limit(limit).toList();
    }

    @Override
    public synchronized void appendMessage(String agentId, ConversationMessage message) {
        conversations.computeIfAbsent(agentId, k -> new ArrayList<>()).add(message);
    }

    @Override
    public synchronized List<ConversationMessage> conversation(String agentId) {
        return List.copyOf(conversations.getOrDefault(agentId, List.of()));
    }

    @Override
    public synchronized void delete(String agentId) {
        records.remove(agentId);
        events.remove(agentId);
        conversations.remove(agentId);
        leases.remove(agentId);
    }

    @Override
    public synchronized boolean acquireLease(String agentId, String owner, Duration ttl) {
        Lease lease = leases.get(agentId);
        Instant now = clock.instant();
        if (lease != null && !lease.owner().equals(owner) && lease.expires().isAfter(now)) {
            return false;
        }
        leases.put(agentId, new Lease(owner, now.plus(ttl)));
        return true;
    }

    @Override
    public synchronized void releaseLease(String agentId, String owner) {
        Lease lease = leases.get(agentId);
        if (lease != null && lease.owner().equals(owner)) {
            leases.remove(agentId);
        }
    }

    @Override
    public void close() {
    }
}
