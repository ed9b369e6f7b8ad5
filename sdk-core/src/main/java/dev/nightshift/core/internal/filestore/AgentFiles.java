package dev.nightshift.core.internal.filestore;

import static dev.nightshift.core.internal.filestore.DiskFiles.lastLine;
import static dev.nightshift.core.internal.filestore.DiskFiles.makeDirectory;
import static dev.nightshift.core.internal.filestore.DiskFiles.readAll;
import static dev.nightshift.core.internal.filestore.DiskFiles.truncatePartialLine;
import static dev.nightshift.core.internal.filestore.DiskFiles.writeAtomically;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.Page;
import dev.nightshift.common.FileTrees;
import dev.nightshift.core.FileAgentStore;
import dev.nightshift.core.internal.Json;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents of {@link FileAgentStore}: one directory per agent under
 * {@code <root>/agents/} with {@code agent.json} (replaced atomically), {@code events.jsonl} and
 * {@code conversation.jsonl} (appended lines), and {@code agent.progress.jsonl} for records that
 * changed only in their progress (synced by the {@link GroupCommit}, removed by the next synced
 * record). Validates agent ids and holds the per-agent locks the other parts share.
 *
 * <p><b>Thread-safety:</b> thread-safe; appends to one agent are serialised in this process.
 * Internal: only the file store uses it.
 */
public final class AgentFiles {
    private static final Logger log = LoggerFactory.getLogger(FileAgentStore.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path agents;
    private final GroupCommit commit;
    private final ObjectMapper json = Json.mapper();
    /** Serialises appends per agent inside this process; other processes are kept out by leases. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Last appended sequence per agent, read from disk once; only the lease holder appends. */
    private final Map<String, Long> lastSequences = new ConcurrentHashMap<>();
    /** Files already checked for a partial last line in this process. */
    private final Set<Path> recovered = ConcurrentHashMap.newKeySet();
    /** The last record this store wrote per agent (synced or as progress): what a progress-only put is judged against. */
    private final Map<String, AgentInfo> written = new ConcurrentHashMap<>();

    /**
     * The agents under {@code agents} (an existing directory); {@code store} names the store in
     * messages.
     */
    public AgentFiles(Path agents, Duration syncInterval, String store) {
        this.agents = agents;
        this.commit = new GroupCommit(syncInterval, store);
    }

    /** The directory of {@code agentId}; {@link IllegalArgumentException} when the id is not a safe file name. */
    Path dir(String agentId) {
        if (!SAFE_ID.matcher(agentId).matches()) {
            throw new IllegalArgumentException("not a valid agent id: " + agentId);
        }
        return agents.resolve(agentId);
    }

    /** The lock of {@code agentId} in this process (appends, records, leases). */
    Object lock(String agentId) {
        return locks.computeIfAbsent(agentId, k -> new Object());
    }

    public void put(AgentInfo info) {
        Path d = dir(info.id());
        synchronized (lock(info.id())) {
            try {
                makeDirectory(d);
                AgentInfo before = written.get(info.id());
                Path progress = d.resolve(PROGRESS);
                if (!commit.syncsEveryWrite() && before != null && progressOnly(before, info)) {
                    // appended now (a killed process loses nothing), synced by the flusher
                    if (recovered.add(progress)) {
                        truncatePartialLine(progress);
                    }
                    try (FileOutputStream out = new FileOutputStream(progress.toFile(), true)) {
                        out.write((Json.write(info) + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    commit.written(progress);
                } else {
                    commit.syncUnder(d); // the events the record counts reach the disk first
                    writeAtomically(d.resolve("agent.json"), json.writeValueAsBytes(info), true);
                    commit.forget(progress);
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
    public static boolean progressOnly(AgentInfo before, AgentInfo next) {
        return next.withUsage(before.usage(), before.updatedAt()).withLastSequence(before.lastSequence()).equals(before)
                && next.lastSequence() >= before.lastSequence() && !next.updatedAt().isBefore(before.updatedAt());
    }

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


    public List<AgentEvent> events(String agentId, long afterSequence, int limit) {
        List<AgentEvent> all = readLines(agentId, "events.jsonl", AgentEvent.class, afterSequence, limit, false);
        return all;
    }

    public void appendMessage(String agentId, ConversationMessage message) {
        synchronized (lock(agentId)) {
            appendLine(agentId, "conversation.jsonl", message);
        }
    }

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
                if (commit.syncsEveryWrite()) {
                    out.getFD().sync();
                }
            }
            if (!commit.syncsEveryWrite()) {
                commit.written(path);
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

    public void delete(String agentId) {
        Path d = dir(agentId);
        synchronized (lock(agentId)) {
            lastSequences.remove(agentId);
            written.remove(agentId);
            recovered.removeIf(p -> p.startsWith(d));
            commit.forgetUnder(d);
            try {
                FileTrees.delete(d);
            } catch (IOException e) {
                throw new NightshiftException("cannot delete agent " + agentId + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Syncs to disk everything written so far (events, conversation lines, progress-only
     * records); returns once it is on disk.
     */
    public void sync() {
        commit.sync();
    }
}
