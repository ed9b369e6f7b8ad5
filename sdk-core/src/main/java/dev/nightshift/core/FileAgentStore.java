package dev.nightshift.core;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Page;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import dev.nightshift.core.internal.filestore.AgentFiles;
import dev.nightshift.core.internal.filestore.FileControlInbox;
import dev.nightshift.core.internal.filestore.FileLeases;
import dev.nightshift.core.internal.filestore.FileMachineSlots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The default {@link AgentStore}: one directory per agent under {@code <root>/agents/}, with
 * {@code agent.json} (replaced atomically: written aside, synced, renamed), {@code events.jsonl}
 * and {@code conversation.jsonl} (one JSON object per line, appended). A crash while appending
 * leaves at most one partial last line, which readers ignore. Leases live in {@code lease.json},
 * changed under an OS file lock, so two processes on one directory never drive the same agent.
 *
 * <p><b>Durability (group commit).</b> Every call has written its bytes to the operating system
 * before it returns, so a killed process ({@code kill -9}, a JVM crash) loses nothing: the kernel
 * keeps what was written and any other process or a restarted engine reads it. Syncing to the disk
 * ({@code fsync}) is grouped: appended events and conversation lines, and records that changed only
 * in their progress (usage, {@code updatedAt}, {@code lastSequence}), are synced by a background
 * flusher at most {@linkplain #open(Path, Clock, Duration) the sync interval} (50 ms unless
 * chosen) after they were written. A record whose status or anything else changed (a turn ending,
 * FINISHED, ERROR, a hand-off, a take-over) is synced before {@link #put} returns, after the agent's
 * appended lines, so a synced record never points past events the disk has. {@link #sync()} and
 * {@link #close()} sync everything written so far. So an operating-system crash or a power loss
 * loses at most the last interval's events, conversation lines and usage figures, never a status;
 * an interval of {@link Duration#ZERO} syncs every write before the call returns (slower: one
 * {@code fsync} per event). Progress-only records are appended as lines to
 * {@code agent.progress.jsonl} next to the synced {@code agent.json} (no rename: on ext4 a rename
 * over a file starts its writeback, milliseconds a step on a busy disk), which the next synced
 * record removes; the last complete line is read, and only when it belongs to {@code agent.json},
 * so a torn or stale progress file after a power loss falls back to the last synced record.
 *
 * <p><b>Thread-safety:</b> thread-safe, and safe to share one directory between processes.
 * <b>Lifecycle:</b> {@link #open(Path)} creates the directory if needed; {@link #close()} syncs
 * what is not synced yet. The flusher is one daemon thread shared by every store of the JVM; a
 * store that is never closed still has its writes synced within the interval.
 *
 * <pre>{@code
 * try (FileAgentStore store = FileAgentStore.open(Path.of(System.getProperty("user.home"), ".nightshift"))) {
 *     store.list(AgentQuery.all()).items().forEach(a -> System.out.println(a.id() + " " + a.status()));
 * }
 * }</pre>
 *
 * <p>The parts live in {@code core.internal.filestore}: the agents' files and their group commit
 * ({@code AgentFiles}), leases ({@code FileLeases}), the running-machine counter
 * ({@code FileMachineSlots}) and the control inbox ({@code FileControlInbox}).
 */
public final class FileAgentStore implements AgentStore {
    /** The default {@link #open(Path, Clock, Duration) sync interval}. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(50);

    private final Path root;
    private final AgentFiles agents;
    private final FileLeases leases;
    private final FileMachineSlots slots;
    private final FileControlInbox controls;

    private FileAgentStore(Path root, Clock clock, Duration syncInterval) {
        this.root = root.toAbsolutePath();
        Path agentsDir = this.root.resolve("agents");
        Objects.requireNonNull(clock, "clock");
        if (syncInterval == null || syncInterval.isNegative()) {
            throw new IllegalArgumentException("the sync interval must be zero or positive, not " + syncInterval);
        }
        try {
            Files.createDirectories(agentsDir);
        } catch (IOException e) {
            throw new NightshiftException("cannot create the agent store at " + agentsDir + ": " + e.getMessage(), e);
        }
        this.agents = new AgentFiles(agentsDir, syncInterval, toString());
        this.leases = new FileLeases(agents, clock);
        this.slots = new FileMachineSlots(this.root, clock);
        this.controls = new FileControlInbox(this.root, agents);
    }

    /** Opens (creating if needed) the store under {@code root}. */
    public static FileAgentStore open(Path root) {
        return new FileAgentStore(root, Clock.systemUTC(), DEFAULT_SYNC_INTERVAL);
    }

    /** Opens the store with a clock for lease expiry (tests). */
    public static FileAgentStore open(Path root, Clock clock) {
        return new FileAgentStore(root, clock, DEFAULT_SYNC_INTERVAL);
    }

    /**
     * Opens the store with a clock and the longest time a written event, conversation line or
     * progress-only record waits to be synced to disk ({@link Duration#ZERO}: synced before each
     * call returns). See the class comment for what a crash or a power loss can lose.
     */
    public static FileAgentStore open(Path root, Clock clock, Duration syncInterval) {
        return new FileAgentStore(root, clock, syncInterval);
    }

    @Override
    public void put(AgentInfo info) {
        agents.put(info);
    }

    @Override
    public Optional<AgentInfo> get(String agentId) {
        return agents.get(agentId);
    }

    @Override
    public Page<AgentInfo> list(AgentQuery query) {
        return agents.list(query);
    }

    @Override
    public void append(AgentEvent event) {
        agents.append(event);
    }

    @Override
    public long lastSequence(String agentId) {
        return agents.lastSequence(agentId);
    }

    @Override
    public List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        return agents.events(agentId, afterSequence, limit);
    }

    @Override
    public void appendMessage(String agentId, ConversationMessage message) {
        agents.appendMessage(agentId, message);
    }

    @Override
    public List<ConversationMessage> conversation(String agentId) {
        return agents.conversation(agentId);
    }

    @Override
    public void delete(String agentId) {
        agents.delete(agentId);
    }

    /**
     * Syncs to disk everything this store has written so far (events, conversation lines,
     * progress-only records); returns once it is on disk. Writes are otherwise synced within the
     * sync interval; a killed process loses nothing either way, this matters for an OS crash.
     */
    public void sync() {
        agents.sync();
    }

    /** Leases live in {@code lease.json}, changed under an OS file lock. */
    @Override
    public boolean acquireLease(String agentId, String owner, Duration ttl) {
        return leases.acquire(agentId, owner, ttl);
    }

    @Override
    public void releaseLease(String agentId, String owner) {
        leases.release(agentId, owner);
    }

    /** Current lease holder, if any lease has not expired. */
    public Optional<String> leaseHolder(String agentId) {
        return leases.holder(agentId);
    }

    /**
     * The running-machine counter shared by every process on this directory: {@code
     * machine-slots.json}, changed under an OS lock on {@code machine-slots.lock}. Slots past
     * their expiry or held by an owner process of this host that is gone ({@code kill -9}) do not
     * count.
     */
    @Override
    public boolean acquireMachineSlot(String holder, String owner, int max, Duration ttl) {
        return slots.acquire(holder, owner, max, ttl);
    }

    @Override
    public void releaseMachineSlot(String holder, String owner) {
        slots.release(holder, owner);
    }

    @Override
    public int machineSlotsInUse() {
        return slots.inUse();
    }

    /**
     * Controls travel through {@code controls/}: {@code <agent>~<command>.cmd} (submitted, written
     * atomically), renamed to {@code .claimed} by the one lease holder that claims it (the rename
     * is the claim: a sender's withdraw deletes the {@code .cmd}, so a command runs once or
     * never), then {@code .result}, which the sender reads and deletes. Waiters are woken by a
     * {@link java.nio.file.WatchService} on the directory and re-list it at least every 200 ms.
     */
    @Override
    public boolean supportsControls() {
        return true;
    }

    @Override
    public void submitControl(ControlCommand command) {
        controls.submit(command);
    }

    @Override
    public List<ControlCommand> claimControls(Set<String> agentIds, Duration wait) {
        return controls.claim(agentIds, wait);
    }

    @Override
    public void completeControl(ControlResult result) {
        controls.complete(result);
    }

    @Override
    public Optional<ControlResult> awaitControlResult(String agentId, String commandId, Duration timeout) {
        return controls.awaitResult(agentId, commandId, timeout);
    }

    @Override
    public boolean withdrawControl(String agentId, String commandId) {
        return controls.withdraw(agentId, commandId);
    }

    @Override
    public int purgeControls(Instant sentBefore) {
        return controls.purge(sentBefore);
    }

    @Override
    public void close() {
        controls.close();
        sync(); // nothing else is held open between calls
    }

    @Override
    public String toString() {
        return "FileAgentStore[" + root + "]";
    }
}
