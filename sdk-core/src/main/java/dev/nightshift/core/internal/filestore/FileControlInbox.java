package dev.nightshift.core.internal.filestore;

import static dev.nightshift.core.internal.filestore.DiskFiles.writeAtomically;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import dev.nightshift.core.FileAgentStore;
import dev.nightshift.core.internal.Json;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's control inbox between engines, in {@code <root>/controls/} (separate from the
 * agents): {@code <agent>~<command>.cmd} (submitted, written atomically), renamed to
 * {@code .claimed} by the one lease holder that claims it (the rename is the claim: a sender's
 * withdraw deletes the {@code .cmd}, so a command runs once or never), then {@code .result},
 * which the sender reads and deletes. Waiters are woken by a {@link WatchService} on the
 * directory and re-list it at least every {@value #CONTROLS_RELIST_MILLIS} ms.
 *
 * <p><b>Thread-safety:</b> thread-safe, and safe between processes. <b>Lifecycle:</b> the watch
 * thread starts with the first wait; {@link #close()} stops it. Internal: only the file store
 * uses it.
 */
public final class FileControlInbox {
    private static final Logger log = LoggerFactory.getLogger(FileAgentStore.class);
    /** How long a waiter goes without re-listing the inbox when no file change wakes it. */
    private static final long CONTROLS_RELIST_MILLIS = 200;
    private final Path root;
    private final AgentFiles agents;
    private final ObjectMapper json = Json.mapper();
    private final Object controlsMonitor = new Object();
    private long controlsVersion;
    private Thread controlsWatcher;
    private WatchService controlsWatch;
    private volatile boolean controlsClosed;

    /** The inbox of the store under {@code root}, whose agents (their ids) are {@code agents}. */
    public FileControlInbox(Path root, AgentFiles agents) {
        this.root = root;
        this.agents = agents;
    }

    private Path controlsDir() {
        Path d = root.resolve("controls");
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new NightshiftException("cannot create the control inbox " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    private Path controlFile(String agentId, String commandId, String suffix) {
        agents.dir(agentId); // validates the id
        return controlsDir().resolve(agentId + "~" + commandId + suffix);
    }

    public void submit(ControlCommand command) {
        Path f = controlFile(command.agentId(), command.id(), ".cmd");
        try {
            writeAtomically(f, json.writeValueAsBytes(command));
            try { // its age, for purgeControls; a claim (a rename) keeps it
                Files.setLastModifiedTime(f, FileTime.from(command.sentAt()));
            } catch (NoSuchFileException e) {
                // already claimed or withdrawn
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot send a control to agent " + command.agentId() + ": " + e.getMessage(), e);
        }
    }

    public List<ControlCommand> claim(Set<String> agentIds, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Path inbox = controlsDir();
        while (true) {
            long seen = controlsVersion();
            List<ControlCommand> claimed = new ArrayList<>();
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
                        claimed.add(json.readValue(Files.readAllBytes(mine), ControlCommand.class));
                    } catch (IOException e) {
                        log.warn("dropping unreadable control {}: {}", mine, e.getMessage());
                        Files.deleteIfExists(mine);
                    }
                }
            } catch (IOException e) {
                throw new NightshiftException("cannot read the control inbox " + inbox + ": " + e.getMessage(), e);
            }
            if (!claimed.isEmpty()) {
                claimed.sort(Comparator.comparing(ControlCommand::sentAt));
                return claimed;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            awaitControlsChange(seen, left);
        }
    }

    public void complete(ControlResult result) {
        Path f = controlFile(result.agentId(), result.commandId(), ".result");
        try {
            writeAtomically(f, json.writeValueAsBytes(result));
            Files.deleteIfExists(controlFile(result.agentId(), result.commandId(), ".claimed"));
        } catch (IOException e) {
            throw new NightshiftException("cannot record the result of control " + result.commandId() + ": "
                    + e.getMessage(), e);
        }
    }

    public Optional<ControlResult> awaitResult(String agentId, String commandId,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path f = controlFile(agentId, commandId, ".result");
        while (true) {
            long seen = controlsVersion();
            try {
                ControlResult r = json.readValue(Files.readAllBytes(f),
                        ControlResult.class);
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

    public boolean withdraw(String agentId, String commandId) {
        try {
            return Files.deleteIfExists(controlFile(agentId, commandId, ".cmd"));
        } catch (IOException e) {
            throw new NightshiftException("cannot withdraw control " + commandId + ": " + e.getMessage(), e);
        }
    }

    public int purge(Instant sentBefore) {
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
        long deadline = System.nanoTime() + Math.min(nanos, TimeUnit.MILLISECONDS
                .toNanos(CONTROLS_RELIST_MILLIS));
        synchronized (controlsMonitor) {
            while (controlsVersion == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(controlsMonitor, left);
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
            WatchService ws = root.getFileSystem().newWatchService();
            controlsDir().register(ws, StandardWatchEventKinds.ENTRY_CREATE);
            controlsWatch = ws;
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("no watch on the control inbox ({}); polling it", e.toString());
            controlsWatcher = new Thread(() -> { });
            return;
        }
        controlsWatcher = new Thread(() -> {
            try {
                while (true) {
                    WatchKey key = controlsWatch.take();
                    key.pollEvents();
                    key.reset();
                    synchronized (controlsMonitor) {
                        controlsVersion++;
                        controlsMonitor.notifyAll();
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed
            }
        }, "nightshift-controls-watch");
        controlsWatcher.setDaemon(true);
        controlsWatcher.start();
    }

    /** Stops the watch thread; waiters poll from then on. */
    public void close() {
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
}
