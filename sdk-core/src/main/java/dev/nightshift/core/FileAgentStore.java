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
import dev.nightshift.core.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
 * and {@code conversation.jsonl} (one JSON object per line, appended and synced). A crash while
 * appending leaves at most one partial last line, which readers ignore: at most the event being
 * written is lost. Leases live in {@code lease.json}, changed under an OS file lock, so two
 * processes on one directory never drive the same agent.
 *
 * <p><b>Thread-safety:</b> thread-safe, and safe to share one directory between processes.
 * <b>Lifecycle:</b> {@link #open(Path)} creates the directory if needed; {@link #close()} releases
 * nothing but is required by the SPI.
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

    private FileAgentStore(Path root, Clock clock) {
        this.agents = root.toAbsolutePath().resolve("agents");
        this.clock = clock;
        try {
            Files.createDirectories(agents);
        } catch (IOException e) {
            throw new NightshiftException("cannot create the agent store at " + agents + ": " + e.getMessage(), e);
        }
    }

    /** Opens (creating if needed) the store under {@code root}. */
    public static FileAgentStore open(Path root) {
        return new FileAgentStore(root, Clock.systemUTC());
    }

    /** Opens the store with a clock for lease expiry (tests). */
    public static FileAgentStore open(Path root, Clock clock) {
        return new FileAgentStore(root, clock);
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
        try {
            Files.createDirectories(d);
            writeAtomically(d.resolve("agent.json"), json.writeValueAsBytes(info));
        } catch (IOException e) {
            throw new NightshiftException("cannot save agent " + info.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<AgentInfo> get(String agentId) {
        Path f = dir(agentId).resolve("agent.json");
        try {
            return Optional.of(json.readValue(Files.readAllBytes(f), AgentInfo.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NightshiftException("cannot read agent " + agentId + " from " + f + ": " + e.getMessage(), e);
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
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
        } catch (NoSuchFileException e) {
            // nothing written yet
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
            Files.createDirectories(d);
            byte[] line = (Json.write(value) + "\n").getBytes(StandardCharsets.UTF_8);
            Path path = d.resolve(file);
            if (recovered.add(path)) {
                truncatePartialLine(path);
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot append to " + file + " of agent " + agentId + ": " + e.getMessage(), e);
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
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
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
            recovered.removeIf(p -> p.startsWith(d));
            try (var walk = Files.walk(d)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (NoSuchFileException e) {
                // already gone
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

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                + "-" + Thread.currentThread().getId());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
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
        // nothing else held open between calls
    }

    @Override
    public String toString() {
        return "FileAgentStore[" + agents.getParent() + "]";
    }
}
