package dev.nightshift.docker.internal;

import dev.nightshift.api.runtime.MachineState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime's exec servers, at most one per container however many {@link DockerMachine}
 * objects (start, attach) stand for it. A server starts in the background when a machine starts
 * (or at the first exec of an attached one); one that cannot run in the image ({@code perl}
 * missing) or dies three times leaves that container on the per-exec path, logged once per
 * runtime at WARN.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per runtime; {@link #closeAll()} at its close.
 */
final class ExecServers {
    private static final Logger LOG = LoggerFactory.getLogger(ExecServers.class);
    private static final int MAX_DEATHS = 3;

    private final RuntimeCore core;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();
    private volatile boolean closed;

    private static final class Slot {
        CompletableFuture<ExecServer> server;
        int deaths;
        boolean off;
        long lastUsed = System.nanoTime();
    }

    ExecServers(RuntimeCore core) {
        this.core = core;
        // an idle agent's machine costs no host threads: its server stops and restarts on demand
        long idle = Math.max(1, core.settings().execServerIdle().toMillis());
        core.scheduler().scheduleWithFixedDelay(() -> retireIdle(idle), idle, Math.max(1, idle / 2),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Stops servers that served no exec for {@code idleMillis} (not a death: the next exec restarts one). */
    void retireIdle(long idleMillis) {
        long now = System.nanoTime();
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            Slot slot = e.getValue();
            ExecServer idle = null;
            synchronized (slot) {
                ExecServer s = slot.server == null ? null : slot.server.getNow(null);
                if (s != null && s.alive() && s.idle()
                        && (now - slot.lastUsed) / 1_000_000 >= idleMillis) {
                    slot.server = null;
                    idle = s;
                }
            }
            if (idle != null) {
                LOG.debug("machine {}: exec server idle for {} ms, stopped until the next exec", e.getKey(), idleMillis);
                idle.close();
            }
        }
    }

    /** Starts {@code m}'s container's server in the background unless running, starting, off, or given up on. */
    void start(DockerMachine m) {
        if (!core.settings().execServers() || closed) {
            return;
        }
        Slot slot = slots.computeIfAbsent(m.id(), k -> new Slot());
        synchronized (slot) {
            if (slot.off) {
                return;
            }
            CompletableFuture<ExecServer> f = slot.server;
            if (f != null && (!f.isDone() || (f.getNow(null) != null && f.getNow(null).alive()))) {
                return;
            }
            slot.server = CompletableFuture.supplyAsync(() -> newServer(m, slot), core.io());
        }
    }

    /** The container's running server, waiting for one that is starting; {@code null}: use the per-exec path. */
    ExecServer get(DockerMachine m) {
        start(m);
        Slot slot = slots.get(m.id());
        if (slot == null) {
            return null;
        }
        CompletableFuture<ExecServer> f;
        synchronized (slot) {
            f = slot.server;
            slot.lastUsed = System.nanoTime();
        }
        if (f == null) {
            return null;
        }
        ExecServer s = f.join();
        return s != null && s.alive() ? s : null;
    }

    private ExecServer newServer(DockerMachine m, Slot slot) {
        try {
            return ExecServer.start(m, this);
        } catch (ExecServer.Unsupported e) {
            synchronized (slot) {
                slot.off = true;
            }
            unavailable(m.id(), e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // a stopping or removed machine, or a server that died at once: the per-exec path
            // serves this exec (and reports a stopped machine); the next exec tries again
            LOG.debug("exec server did not start in machine {}: {}", m.id(), e.getMessage());
            died(m, slot, e.getMessage());
            return null;
        }
    }

    /** Called by a server that was serving and ended by itself. */
    void gone(DockerMachine m, ExecServer server, String why) {
        Slot slot = slots.get(m.id());
        if (slot == null) {
            return;
        }
        synchronized (slot) {
            if (slot.server != null && slot.server.getNow(null) == server) {
                slot.server = null;
            }
        }
        died(m, slot, why);
    }

    private void died(DockerMachine m, Slot slot, String why) {
        if (closed || !slots.containsKey(m.id()) || m.state() != MachineState.RUNNING) {
            return;
        }
        synchronized (slot) {
            if (++slot.deaths >= MAX_DEATHS && !slot.off) {
                slot.off = true;
                unavailable(m.id(), why + " (" + MAX_DEATHS + " times)");
            }
        }
    }

    private void unavailable(String machineId, String why) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn("{}: machine {} runs its execs on the engine's per-exec path (slower, same results);"
                    + " further such machines are logged at DEBUG", why, machineId);
        } else {
            LOG.debug("{}: machine {} runs its execs on the engine's per-exec path", why, machineId);
        }
    }

    /** Stops the container's server (machine stopped, closed or removed). */
    void close(String containerId) {
        Slot slot = slots.remove(containerId);
        if (slot == null) {
            return;
        }
        CompletableFuture<ExecServer> f;
        synchronized (slot) {
            f = slot.server;
            slot.server = null;
            slot.off = true;
        }
        if (f != null) {
            f.thenAccept(s -> {
                if (s != null) {
                    s.close();
                }
            });
        }
    }

    void closeAll() {
        closed = true;
        List.copyOf(slots.keySet()).forEach(this::close);
    }
}
