package dev.nightshift.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Page;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.common.DaemonThreads;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.internal.Json;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

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
 */
public final class FileAgentStore implements AgentStore {
    private static final Logger log = LoggerFactory.getLogger(FileAgentStore.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private final Path agents;
    private final Clock clock;
    private final ObjectMapper json = Json.mapper();
    /** Serialises appends per agent inside this process; other processes are kept out by leases. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Last appended sequence per agent, read from disk once; only the lease holder appends. */
    private final Map<String, Long> lastSequences = new ConcurrentHashMap<>();
    /** Files already checked for a partial last line in this process. */
    private final java.util.Set<Path> recovered = ConcurrentHashMap.newKeySet();
    /** The default {@link #open(Path, Clock, Duration) sync interval}. */
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(50);
    /** One daemon thread syncs for every store of the JVM; a store left unclosed leaks no thread. */
    private static final java.util.concurrent.ScheduledExecutorService FLUSHER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nightshift-store-sync"));
    private final Duration syncInterval;
    /** Files written but not yet synced. */
    private final java.util.Set<Path> unsynced = ConcurrentHashMap.newKeySet();
    /** Whether a flush is scheduled on {@link #FLUSHER}. */
    private final java.util.concurrent.atomic.AtomicBoolean flushScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    /** The last record this store wrote per agent (synced or as progress): what a progress-only put is judged against. */
    private final Map<String, AgentInfo> written = new ConcurrentHashMap<>();

    private FileAgentStore(Path root, Clock clock, Duration syncInterval) {
        this.agents = root.toAbsolutePath().resolve("agents");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        if (syncInterval == null || syncInterval.isNegative()) {
            throw new IllegalArgumentException("the sync interval must be zero or positive, not " + syncInterval);
        }
        this.syncInterval = syncInterval;
        try {
            Files.createDirectories(agents);
        } catch (IOException e) {
            throw new NightshiftException("cannot create the agent store at " + agents + ": " + e.getMessage(), e);
        }
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

    private Path dir(String agentId) {
        if (!SAFE_ID.matcher(agentId).matches()) {
            throw new IllegalArgumentException("not a valid agent id: " + agentId);
        }
        return agents.resolve(agentId);
    }

    private Object lock(String agentId) {
        return locks.computeIfAbsent(agentId, k -> new Object());
    }

    @Override
    public void put(AgentInfo info) {
        Path d = dir(info.id());
        synchronized (lock(info.id())) {
            try {
                makeDirectory(d);
                AgentInfo before = written.get(info.id());
                Path progress = d.resolve(PROGRESS);
                if (!syncInterval.isZero() && before != null && progressOnly(before, info)) {
                    // appended now (a killed process loses nothing), synced by the flusher
                    if (recovered.add(progress)) {
                        truncatePartialLine(progress);
                    }
                    try (FileOutputStream out = new FileOutputStream(progress.toFile(), true)) {
                        out.write((Json.write(info) + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    markUnsynced(progress);
                } else {
                    syncAgent(info.id()); // the events the record counts reach the disk first
                    writeAtomically(d.resolve("agent.json"), json.writeValueAsBytes(info), true);
                    unsynced.remove(progress);
                    Files.deleteIfExists(progress);
                }
                written.put(info.id(), info);
            } catch (IOException e) {
                throw new NightshiftException("cannot save agent " + info.id() + ": " + e.getMessage(), e);
            }
        }
    }

    private static final String PROGRESS = "agent.progress.jsonl";

    /** Whether {@code next} differs from {@code before} in usage, {@code updatedAt} and {@code lastSequence} only. */
    static boolean progressOnly(AgentInfo before, AgentInfo next) {
        return next.withUsage(before.usage(), before.updatedAt()).withLastSequence(before.lastSequence()).equals(before)
                && next.lastSequence() >= before.lastSequence() && !next.updatedAt().isBefore(before.updatedAt());
    }

    @Override
    public Optional<AgentInfo> get(String agentId) {
        Path d = dir(agentId);
        Path f = d.resolve("agent.json");
        AgentInfo synced;
        try {
            byte[] bytes = readAll(f);
            if (bytes == null) {
                return Optional.empty();
            }
            synced = json.readValue(bytes, AgentInfo.class);
        } catch (IOException e) {
            throw new NightshiftException("cannot read agent " + agentId + " from " + f + ": " + e.getMessage(), e);
        }
        try {
            byte[] bytes = lastLine(d.resolve(PROGRESS));
            if (bytes == null) {
                return Optional.of(synced);
            }
            AgentInfo progress = json.readValue(bytes, AgentInfo.class);
            // only a progress record of this very record counts: a stale or torn one is ignored
            return Optional.of(progressOnly(synced, progress) ? progress : synced);
        } catch (IOException e) {
            log.warn("agent {}: {} is unreadable ({}); using the last synced record", agentId, PROGRESS, e.getMessage());
            return Optional.of(synced);
        }
    }

    @Override
    public Page<AgentInfo> list(AgentQuery query) {
        List<AgentInfo> all = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(agents)) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (SAFE_ID.matcher(id).matches()) {
                    get(id).filter(query::matches).ifPresent(all::add);
                }
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot list agents in " + agents + ": " + e.getMessage(), e);
        }
        // newest first; the cursor is the sort key of the last item returned
        Comparator<AgentInfo> order = Comparator.comparing(AgentInfo::createdAt).reversed()
                .thenComparing(AgentInfo::id);
        all.sort(order);
        int from = 0;
        if (query.cursor() != null) {
            String[] key = decodeCursor(query.cursor());
            Instant at = Instant.parse(key[0]);
            String id = key[1];
            while (from < all.size()) {
                AgentInfo a = all.get(from);
                int c = a.createdAt().compareTo(at);
                if (c < 0 || (c == 0 && a.id().compareTo(id) > 0)) {
                    break;
                }
                from++;
            }
        }
        int to = Math.min(all.size(), from + query.limit());
        List<AgentInfo> items = all.subList(from, to);
        String next = to < all.size() && !items.isEmpty() ? encodeCursor(items.get(items.size() - 1)) : null;
        return new Page<>(items, next);
    }

    private static String encodeCursor(AgentInfo last) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decodeCursor(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException();
            }
            Instant.parse(parts[0]);
            return parts;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cursor from this store: " + cursor);
        }
    }

    @Override
    public void append(AgentEvent event) {
        synchronized (lock(event.agentId())) {
            long last = lastSequences.computeIfAbsent(event.agentId(), this::readLastSequence);
            if (event.sequence() != last + 1) {
                throw new ConflictException("event " + event.sequence() + " of agent " + event.agentId()
                        + " does not follow the last stored one, " + last);
            }
            appendLine(event.agentId(), "events.jsonl", event);
            lastSequences.put(event.agentId(), event.sequence());
        }
    }

    @Override
    public long lastSequence(String agentId) {
        synchronized (lock(agentId)) {
            long last = readLastSequence(agentId);
            lastSequences.put(agentId, last);
            return last;
        }
    }

    private long readLastSequence(String agentId) {
        List<AgentEvent> tail = readLines(agentId, "events.jsonl", AgentEvent.class, 0, Integer.MAX_VALUE, true);
        return tail.isEmpty() ? 0 : tail.get(tail.size() - 1).sequence();
    }

    /** Cuts a last line left without its newline by a crash, so the next append starts clean. */
    private static void truncatePartialLine(Path f) {
        if (!Files.exists(f)) {
            return; // nothing written yet
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long size = raf.length();
            long keep = size;
            while (keep > 0) {
                raf.seek(keep - 1);
                if (raf.read() == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                raf.setLength(keep);
                raf.getFD().sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + f, e);
        }
    }

    @Override
    public List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        List<AgentEvent> all = readLines(agentId, "events.jsonl", AgentEvent.class, afterSequence, limit, false);
        return all;
    }

    @Override
    public void appendMessage(String agentId, ConversationMessage message) {
        synchronized (lock(agentId)) {
            appendLine(agentId, "conversation.jsonl", message);
        }
    }

    @Override
    public List<ConversationMessage> conversation(String agentId) {
        return readLines(agentId, "conversation.jsonl", ConversationMessage.class, -1, Integer.MAX_VALUE, false);
    }

    private void appendLine(String agentId, String file, Object value) {
        Path d = dir(agentId);
        try {
            makeDirectory(d);
            byte[] line = (Json.write(value) + "\n").getBytes(StandardCharsets.UTF_8);
            Path path = d.resolve(file);
            if (recovered.add(path)) {
                truncatePartialLine(path);
            }
            // java.io, not NIO: an interrupt of the calling thread cannot close it mid-write
            try (FileOutputStream out = new FileOutputStream(path.toFile(), true)) {
                out.write(line);
                if (syncInterval.isZero()) {
                    out.getFD().sync();
                }
            }
            if (!syncInterval.isZero()) {
                markUnsynced(path);
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot append to " + file + " of agent " + agentId + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- group commit

    /** Notes a written file for the flusher, scheduling a flush within the sync interval. */
    private void markUnsynced(Path file) {
        unsynced.add(file);
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                FLUSHER.schedule(this::flushScheduled, syncInterval.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                flushScheduled.set(false);
                sync();
            }
        }
    }

    private void flushScheduled() {
        flushScheduled.set(false);
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("{}: cannot sync written events to disk: {}", this, e.getMessage());
        }
    }

    /**
     * Syncs to disk everything this store has written so far (events, conversation lines,
     * progress-only records); returns once it is on disk. Writes are otherwise synced within the
     * sync interval; a killed process loses nothing either way, this matters for an OS crash.
     */
    public void sync() {
        IOException failed = null;
        for (Path f : List.copyOf(unsynced)) {
            try {
                force(f);
            } catch (IOException e) {
                failed = e;
            }
        }
        if (failed != null) {
            throw new NightshiftException("cannot sync " + this + " to disk: " + failed.getMessage(), failed);
        }
    }

    /** Syncs the files of one agent written so far. */
    private void syncAgent(String agentId) throws IOException {
        Path d = dir(agentId);
        for (Path f : List.copyOf(unsynced)) {
            if (f.startsWith(d)) {
                force(f);
            }
        }
    }

    /** Syncs one file (through a descriptor of its own: fsync syncs the file, whoever wrote it). */
    private void force(Path f) throws IOException {
        if (!unsynced.remove(f)) {
            return; // synced meanwhile by another caller
        }
        if (!Files.exists(f)) {
            return; // deleted meanwhile: nothing to keep
        }
        try (FileInputStream in = new FileInputStream(f.toFile())) {
            in.getFD().sync();
        } catch (FileNotFoundException e) {
            if (Files.exists(f)) {
                unsynced.add(f);
                throw e;
            }
        } catch (IOException e) {
            unsynced.add(f);
            throw e;
        }
    }

    /**
     * Reads complete lines; a last line without its newline (a write cut short by a crash) is
     * ignored, as is any line that does not parse.
     */
    private <T> List<T> readLines(String agentId, String file, Class<T> type, long afterSequence, int limit,
            boolean lastOnly) {
        Path f = dir(agentId).resolve(file);
        List<T> out = new ArrayList<>();
        byte[] bytes;
        try {
            bytes = readAll(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        if (bytes == null) {
            return out;
        }
        int start = 0;
        T last = null;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            T value = parse(bytes, start, i - start, type);
            start = i + 1;
            if (value == null) {
                continue;
            }
            if (lastOnly) {
                last = value;
                continue;
            }
            if (value instanceof AgentEvent e && e.sequence() <= afterSequence) {
                continue;
            }
            out.add(value);
            if (out.size() >= limit) {
                break;
            }
        }
        if (lastOnly && last != null) {
            out.add(last);
        }
        return out;
    }

    private <T> T parse(byte[] bytes, int off, int len, Class<T> type) {
        try {
            return json.readValue(bytes, off, len, type);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void delete(String agentId) {
        Path d = dir(agentId);
        synchronized (lock(agentId)) {
            lastSequences.remove(agentId);
            written.remove(agentId);
            recovered.removeIf(p -> p.startsWith(d));
            unsynced.removeIf(p -> p.startsWith(d));
            try {
                FileTrees.delete(d);
            } catch (IOException e) {
                throw new NightshiftException("cannot delete agent " + agentId + ": " + e.getMessage(), e);
            }
        }
    }

    /** A lease: who holds it and until when. */
    record Lease(String owner, Instant expires) {
    }

    @Override
    public boolean acquireLease(String agentId, String owner, Duration ttl) {
        return withLeaseLock(agentId, lease -> {
            Instant now = clock.instant();
            if (lease != null && !lease.owner().equals(owner) && lease.expires().isAfter(now)
                    && !ownerIsGone(lease.owner())) {
                return null;
            }
            return new Lease(owner, now.plus(ttl));
        });
    }

    @Override
    public void releaseLease(String agentId, String owner) {
        if (!Files.isDirectory(dir(agentId))) {
            return; // deleted: nothing to release
        }
        withLeaseLock(agentId, lease -> lease != null && lease.owner().equals(owner)
                ? new Lease(owner, Instant.EPOCH) : null);
    }

    /**
     * Whether a lease owner named {@code host:pid:nonce} (the engine's convention) is a process
     * of this host that no longer runs: its lease need not wait out its expiry. Any other owner
     * name is taken as alive until its lease expires.
     */
    static boolean ownerIsGone(String owner) {
        String[] parts = owner.split(":");
        if (parts.length < 3 || !parts[0].equals(LOCAL_HOST)) {
            return false;
        }
        try {
            long pid = Long.parseLong(parts[1]);
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static final String LOCAL_HOST = localHost();

    private static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Current lease holder, if any lease has not expired. */
    public Optional<String> leaseHolder(String agentId) {
        Path f = dir(agentId).resolve("lease.json");
        try {
            Lease l = json.readValue(Files.readAllBytes(f), Lease.class);
            return l.expires().isAfter(clock.instant()) ? Optional.of(l.owner()) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code change} under the OS lock; a non-null result is written and means success. */
    private boolean withLeaseLock(String agentId, java.util.function.UnaryOperator<Lease> change) {
        Path d = dir(agentId);
        synchronized (lock(agentId)) {
            try {
                Files.createDirectories(d);
                try (FileChannel ch = FileChannel.open(d.resolve("lease.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                    Path f = d.resolve("lease.json");
                    Lease current = null;
                    if (Files.exists(f)) {
                        try {
                            current = json.readValue(Files.readAllBytes(f), Lease.class);
                        } catch (IOException e) {
                            current = null; // a torn lease file counts as no lease
                        }
                    }
                    Lease next = change.apply(current);
                    if (next == null) {
                        return false;
                    }
                    writeAtomically(f, json.writeValueAsBytes(next));
                    return true;
                }
            } catch (IOException e) {
                throw new NightshiftException("cannot take the lease of agent " + agentId + ": " + e.getMessage(), e);
            }
        }
    }

    /** The last complete line of {@code f} (without its newline), or null when it has none; read from the end. */
    private static byte[] lastLine(Path f) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long size = raf.length();
            for (long window = 16_384; ; window *= 2) {
                long from = Math.max(0, size - window);
                byte[] tail = new byte[(int) (size - from)];
                raf.seek(from);
                raf.readFully(tail);
                int end = tail.length - 1;
                while (end >= 0 && tail[end] != '\n') {
                    end--; // a torn last line: the one before it counts
                }
                if (end < 0) {
                    if (from == 0) {
                        return null;
                    }
                    continue;
                }
                int start = end - 1;
                while (start >= 0 && tail[start] != '\n') {
                    start--;
                }
                if (start < 0 && from > 0) {
                    continue; // the line starts before the window
                }
                return java.util.Arrays.copyOfRange(tail, start + 1, end);
            }
        } catch (FileNotFoundException e) {
            if (Files.exists(f)) {
                throw e;
            }
            return null;
        }
    }

    /** Creates an agent's directory if it is missing (a stat when it is there, not a failed mkdir's exception). */
    private static void makeDirectory(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            Files.createDirectories(d);
        }
    }

    /**
     * The bytes of {@code f}, or null when it does not exist. java.io rather than NIO, like every
     * write but the lease locks: an interrupt of the calling thread (a stopping turn) cannot close
     * the file under it, so records, events and conversation lines can be written from any thread.
     */
    private static byte[] readAll(Path f) throws IOException {
        try (FileInputStream in = new FileInputStream(f.toFile())) {
            return in.readAllBytes();
        } catch (FileNotFoundException e) {
            if (Files.exists(f)) {
                throw e; // there but unreadable
            }
            return null;
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        writeAtomically(target, bytes, true);
    }

    /** Writes aside and renames over {@code target}; {@code sync}: the bytes reach the disk before the rename. */
    private static void writeAtomically(Path target, byte[] bytes, boolean sync) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                + "-" + Thread.currentThread().getId());
        try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
            out.write(bytes);
            if (sync) {
                out.getFD().sync();
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Running-machine slots by holder (agent id): who holds each and until when. */
    record Slots(Map<String, Lease> held) {
        Slots {
            held = held == null ? Map.of() : Map.copyOf(held);
        }
    }

    private final Object slotsLock = new Object();

    /**
     * The running-machine counter shared by every process on this directory: {@code
     * machine-slots.json}, changed under an OS lock on {@code machine-slots.lock}. Slots past
     * their expiry or held by an owner process of this host that is gone ({@code kill -9}) do not
     * count.
     */
    @Override
    public boolean acquireMachineSlot(String holder, String owner, int max, Duration ttl) {
        return withSlots(held -> {
            if (!held.containsKey(holder) && held.size() >= max) {
                return false;
            }
            held.put(holder, new Lease(owner, clock.instant().plus(ttl)));
            return true;
        });
    }

    @Override
    public void releaseMachineSlot(String holder, String owner) {
        withSlots(held -> {
            Lease l = held.get(holder);
            if (l != null && l.owner().equals(owner)) {
                held.remove(holder);
            }
            return true;
        });
    }

    @Override
    public int machineSlotsInUse() {
        int[] n = new int[1];
        withSlots(held -> {
            n[0] = held.size();
            return true;
        });
        return n[0];
    }

    /** Runs {@code change} on the live slots under the OS lock and writes them back. */
    private boolean withSlots(java.util.function.Predicate<Map<String, Lease>> change) {
        Path root = agents.getParent();
        synchronized (slotsLock) {
            try (FileChannel ch = FileChannel.open(root.resolve("machine-slots.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                Path f = root.resolve("machine-slots.json");
                Map<String, Lease> held = new java.util.TreeMap<>();
                if (Files.exists(f)) {
                    try {
                        held.putAll(json.readValue(Files.readAllBytes(f), Slots.class).held());
                    } catch (IOException e) {
                        log.warn("{} is unreadable ({}); counting no running machines", f, e.getMessage());
                    }
                }
                Instant now = clock.instant();
                held.values().removeIf(l -> !l.expires().isAfter(now) || ownerIsGone(l.owner()));
                boolean result = change.test(held);
                writeAtomically(f, json.writeValueAsBytes(new Slots(held)));
                return result;
            } catch (IOException e) {
                throw new NightshiftException("cannot count running machines in " + root + ": " + e.getMessage(), e);
            }
        }
    }

    // ---- Controls between engines: a command inbox in <root>/controls/ (separate from the rest) ----

    /** How long a waiter goes without re-listing the inbox when no file change wakes it. */
    private static final long CONTROLS_RELIST_MILLIS = 200;
    private final Object controlsMonitor = new Object();
    private long controlsVersion;
    private Thread controlsWatcher;
    private java.nio.file.WatchService controlsWatch;
    private volatile boolean controlsClosed;

    /**
     * Controls travel through {@code controls/}: {@code <agent>~<command>.cmd} (submitted, written
     * atomically), renamed to {@code .claimed} by the one lease holder that claims it (the rename
     * is the claim: a sender's withdraw deletes the {@code .cmd}, so a command runs once or
     * never), then {@code .result}, which the sender reads and deletes. Waiters are woken by a
     * {@link java.nio.file.WatchService} on the directory and re-list it at least every
     * {@value #CONTROLS_RELIST_MILLIS} ms.
     */
    @Override
    public boolean supportsControls() {
        return true;
    }

    private Path controlsDir() {
        Path d = agents.getParent().resolve("controls");
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new NightshiftException("cannot create the control inbox " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    private Path controlFile(String agentId, String commandId, String suffix) {
        dir(agentId); // validates the id
        return controlsDir().resolve(agentId + "~" + commandId + suffix);
    }

    @Override
    public void submitControl(dev.nightshift.api.spi.ControlCommand command) {
        Path f = controlFile(command.agentId(), command.id(), ".cmd");
        try {
            writeAtomically(f, json.writeValueAsBytes(command));
            try { // its age, for purgeControls; a claim (a rename) keeps it
                Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(command.sentAt()));
            } catch (NoSuchFileException e) {
                // already claimed or withdrawn
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot send a control to agent " + command.agentId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<dev.nightshift.api.spi.ControlCommand> claimControls(java.util.Set<String> agentIds, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Path inbox = controlsDir();
        while (true) {
            long seen = controlsVersion();
            List<dev.nightshift.api.spi.ControlCommand> claimed = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(inbox, "*.cmd")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    int sep = name.indexOf('~');
                    if (sep <= 0 || !agentIds.contains(name.substring(0, sep))) {
                        continue;
                    }
                    Path mine = f.resolveSibling(name.substring(0, name.length() - ".cmd".length()) + ".claimed");
                    try {
                        Files.move(f, mine, StandardCopyOption.ATOMIC_MOVE);
                    } catch (NoSuchFileException e) {
                        continue; // withdrawn, or claimed by another engine
                    }
                    try {
                        claimed.add(json.readValue(Files.readAllBytes(mine), dev.nightshift.api.spi.ControlCommand.class));
                    } catch (IOException e) {
                        log.warn("dropping unreadable control {}: {}", mine, e.getMessage());
                        Files.deleteIfExists(mine);
                    }
                }
            } catch (IOException e) {
                throw new NightshiftException("cannot read the control inbox " + inbox + ": " + e.getMessage(), e);
            }
            if (!claimed.isEmpty()) {
                claimed.sort(Comparator.comparing(dev.nightshift.api.spi.ControlCommand::sentAt));
                return claimed;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            awaitControlsChange(seen, left);
        }
    }

    @Override
    public void completeControl(dev.nightshift.api.spi.ControlResult result) {
        Path f = controlFile(result.agentId(), result.commandId(), ".result");
        try {
            writeAtomically(f, json.writeValueAsBytes(result));
            Files.deleteIfExists(controlFile(result.agentId(), result.commandId(), ".claimed"));
        } catch (IOException e) {
            throw new NightshiftException("cannot record the result of control " + result.commandId() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Optional<dev.nightshift.api.spi.ControlResult> awaitControlResult(String agentId, String commandId,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path f = controlFile(agentId, commandId, ".result");
        while (true) {
            long seen = controlsVersion();
            try {
                dev.nightshift.api.spi.ControlResult r = json.readValue(Files.readAllBytes(f),
                        dev.nightshift.api.spi.ControlResult.class);
                Files.deleteIfExists(f);
                return Optional.of(r);
            } catch (NoSuchFileException e) {
                // not yet
            } catch (IOException e) {
                throw new NightshiftException("cannot read the result of control " + commandId + ": " + e.getMessage(), e);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            awaitControlsChange(seen, left);
        }
    }

    @Override
    public boolean withdrawControl(String agentId, String commandId) {
        try {
            return Files.deleteIfExists(controlFile(agentId, commandId, ".cmd"));
        } catch (IOException e) {
            throw new NightshiftException("cannot withdraw control " + commandId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int purgeControls(Instant sentBefore) {
        return purgeControlFiles(f -> Files.getLastModifiedTime(f).toInstant().isBefore(sentBefore));
    }

    /** Deletes the inbox's files {@code which} accepts (a file gone meanwhile is skipped); how many went. */
    private int purgeControlFiles(ControlFilter which) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(controlsDir())) {
            for (Path f : files) {
                try {
                    if (which.test(f) && Files.deleteIfExists(f)) {
                        removed++;
                    }
                } catch (NoSuchFileException e) {
                    // claimed, answered or read meanwhile
                }
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot purge the control inbox: " + e.getMessage(), e);
        }
        return removed;
    }

    private interface ControlFilter {
        boolean test(Path file) throws IOException;
    }

    private long controlsVersion() {
        synchronized (controlsMonitor) {
            startControlsWatcher();
            return controlsVersion;
        }
    }

    /** Waits until the inbox changed after {@code seen}, at most the re-list interval or {@code nanos}. */
    private void awaitControlsChange(long seen, long nanos) {
        long deadline = System.nanoTime() + Math.min(nanos, java.util.concurrent.TimeUnit.MILLISECONDS
                .toNanos(CONTROLS_RELIST_MILLIS));
        synchronized (controlsMonitor) {
            while (controlsVersion == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(controlsMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NightshiftException("interrupted while waiting for a control", e);
                }
            }
        }
    }

    /** Starts (once) the thread that turns file changes in the inbox into wake-ups; without one, waiters poll. */
    private void startControlsWatcher() {
        if (controlsWatcher != null || controlsClosed) {
            return;
        }
        try {
            java.nio.file.WatchService ws = agents.getFileSystem().newWatchService();
            controlsDir().register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            controlsWatch = ws;
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("no watch on the control inbox ({}); polling it", e.toString());
            controlsWatcher = new Thread(() -> { });
            return;
        }
        controlsWatcher = new Thread(() -> {
            try {
                while (true) {
                    java.nio.file.WatchKey key = controlsWatch.take();
                    key.pollEvents();
                    key.reset();
                    synchronized (controlsMonitor) {
                        controlsVersion++;
                        controlsMonitor.notifyAll();
                    }
                }
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                // closed
            }
        }, "nightshift-controls-watch");
        controlsWatcher.setDaemon(true);
        controlsWatcher.start();
    }

    private void closeControls() {
        synchronized (controlsMonitor) {
            controlsClosed = true;
            if (controlsWatch != null) {
                try {
                    controlsWatch.close();
                } catch (IOException e) {
                    log.debug("closing the control watch: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        closeControls();
        sync(); // nothing else is held open between calls
    }

    @Override
    public String toString() {
        return "FileAgentStore[" + agents.getParent() + "]";
    }
}
