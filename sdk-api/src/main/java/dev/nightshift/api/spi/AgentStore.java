package dev.nightshift.api.spi;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.Page;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where agent records, event logs and conversations live. sdk-core ships a store on local disk
 * (atomic writes; a killed process loses nothing, an OS crash at most its sync interval of events
 * and usage figures); a database-backed store plugs in through this interface. A write must be
 * readable by a new store on the same data once the call returns.
 *
 * <p>Two engines may share one store: {@link #acquireLease} makes sure only one drives a given
 * agent at a time.
 *
 * <p><b>Thread-safety:</b> implementations must be thread-safe. <b>Lifecycle:</b> opened by the
 * host application or the engine's builder; {@link #close()} releases files and connections.
 *
 * <pre>{@code
 * try (AgentStore store = FileAgentStore.open(Path.of(System.getProperty("user.home"), ".nightshift"))) {
 *     store.get("agent-1").ifPresent(System.out::println);
 * }
 * }</pre>
 */
public interface AgentStore extends AutoCloseable {

    /** Creates or replaces an agent's record. */
    void put(AgentInfo info);

    /** The record of an agent (tombstones included). */
    Optional<AgentInfo> get(String agentId);

    /** A page of records, newest first. */
    Page<AgentInfo> list(AgentQuery query);

    /**
     * Appends an event; its sequence must be exactly one more than the last appended for that
     * agent (else {@link dev.nightshift.api.ConflictException}).
     */
    void append(AgentEvent event);

    /**
     * The sequence number of the newest stored event of an agent (0 when none), read afresh: a
     * new lease holder continues numbering from here.
     */
    long lastSequence(String agentId);

    /** Up to {@code limit} events with sequence greater than {@code afterSequence}, in order. */
    List<AgentEvent> events(String agentId, long afterSequence, int limit);

    /** Appends a conversation message. */
    void appendMessage(String agentId, ConversationMessage message);

    /** The conversation, oldest first. */
    List<ConversationMessage> conversation(String agentId);

    /** Removes the agent's record, events and conversation. */
    void delete(String agentId);

    /**
     * Takes or renews the lease on an agent for {@code owner}, valid for {@code ttl}. Returns
     * false when another owner holds a lease that has not expired.
     */
    boolean acquireLease(String agentId, String owner, Duration ttl);

    /** Gives a lease up (only if {@code owner} holds it). */
    void releaseLease(String agentId, String owner);

    /**
     * Takes or renews a running-machine slot for {@code holder} (an agent id) on behalf of
     * {@code owner}, valid for {@code ttl}: the counter behind {@code maxRunningMachines} across
     * every engine sharing the store. A holder that has a slot renews it (and takes it over from
     * another owner); a new holder gets one only while fewer than {@code max} unexpired slots are
     * held. Returns whether {@code holder} now holds a slot.
     *
     * <p>The default keeps no count (always true): the limit then holds per engine only.
     */
    default boolean acquireMachineSlot(String holder, String owner, int max, Duration ttl) {
        return true;
    }

    /** Gives up {@code holder}'s running-machine slot (only if {@code owner} holds it). */
    default void releaseMachineSlot(String holder, String owner) {
    }

    /** How many unexpired running-machine slots are held; 0 for a store that keeps no count. */
    default int machineSlotsInUse() {
        return 0;
    }

    /**
     * Whether this store carries controls between engines ({@link #submitControl} and the
     * methods after it). The default: no; a control on an agent another engine drives is then
     * refused with a {@link dev.nightshift.api.ConflictException}.
     */
    default boolean supportsControls() {
        return false;
    }

    /**
     * Puts a control in the inbox of the agent's lease holder. Unsupported by default
     * ({@link #supportsControls()}).
     */
    default void submitControl(ControlCommand command) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " carries no controls between engines");
    }

    /**
     * Claims the pending controls for any agent in {@code agentIds}, oldest first, waiting up to
     * {@code wait} for one to arrive (empty when none did). Each command is handed out once.
     * {@code agentIds} may be a live view that changes while this waits; implementations notice
     * new commands promptly (a watch, or a poll with a short bounded interval). The default
     * returns none at once.
     */
    default java.util.List<ControlCommand> claimControls(java.util.Set<String> agentIds, Duration wait) {
        return java.util.List.of();
    }

    /** Records the result of a claimed control for its sender. */
    default void completeControl(ControlResult result) {
    }

    /**
     * Waits up to {@code timeout} for the result of command {@code commandId} of {@code agentId}
     * and removes it; empty when none came in time.
     */
    default Optional<ControlResult> awaitControlResult(String agentId, String commandId, Duration timeout) {
        return Optional.empty();
    }

    /**
     * Takes a submitted command back. True when no engine had claimed it (it will never run);
     * false when one had (its result will come).
     */
    default boolean withdrawControl(String agentId, String commandId) {
        return true;
    }

    /**
     * Removes controls sent before {@code sentBefore}, pending, claimed or answered: their
     * senders have long stopped waiting (a sender that died leaves its command or its unread
     * result behind). An answer counts from when it was recorded in stores that keep no send time
     * beside it. Returns how many were removed. (Deleting an agent leaves its controls to this
     * purge, so that a sender still waiting learns the outcome.) The engine calls this from its sweep with a cutoff well past its control timeout; the
     * default removes nothing.
     */
    default int purgeControls(Instant sentBefore) {
        return 0;
    }

    @Override
    void close();
}
