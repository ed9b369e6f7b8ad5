package dev.nightshift.docker.internal;

import dev.nightshift.api.runtime.SnapshotInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Label keys Nightshift puts on containers and images, and this process's owner identity.
 *
 * <p>Thread-safety: immutable. Lifecycle: constants.
 */
public final class Labels {
    public static final String MANAGED = "dev.nightshift.managed";
    public static final String OWNER_HOST = "dev.nightshift.owner.host";
    public static final String OWNER_PID = "dev.nightshift.owner.pid";
    public static final String OWNER_START = "dev.nightshift.owner.start";
    public static final String OWNER_PIDNS = "dev.nightshift.owner.pidns";
    /** A machine started with {@code MachineSpec.keepOnOwnerExit}: it outlives its owner process. */
    public static final String KEEP_ON_OWNER_EXIT = "dev.nightshift.keep-on-owner-exit";

    /** Whether a machine with {@code labels} outlives its owner process ({@code MachineSpec.keepOnOwnerExit}). */
    public static boolean outlivesOwner(Map<String, String> labels) {
        return labels != null && "true".equals(labels.get(KEEP_ON_OWNER_EXIT));
    }
    public static final String USER = "dev.nightshift.user";
    public static final String WORKDIR = "dev.nightshift.workdir";
    public static final String PORTS = "dev.nightshift.ports";
    public static final String SNAPSHOT = SnapshotInfo.LABEL_ID;
    public static final String SNAPSHOT_SOURCE = SnapshotInfo.LABEL_SOURCE;
    public static final String SNAPSHOT_CREATED = SnapshotInfo.LABEL_CREATED;
    public static final String SNAPSHOT_REPOSITORY = "nightshift/snapshot";

    private static final String SELF_PIDNS = pidNamespace();
    private static final Owner SELF = computeSelf();

    private Labels() {
    }

    /**
     * Who started a machine: the host, a process id, that process's start time, and its pid
     * namespace (so processes of another container on the same host are never judged by our
     * process table).
     */
    public record Owner(String host, long pid, long startMillis, String pidNamespace) {
        public Owner(String host, long pid, long startMillis) {
            this(host, pid, startMillis, SELF_PIDNS);
        }

        public Map<String, String> labels() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(OWNER_HOST, host);
            m.put(OWNER_PID, Long.toString(pid));
            m.put(OWNER_START, Long.toString(startMillis));
            if (!pidNamespace.isEmpty()) {
                m.put(OWNER_PIDNS, pidNamespace);
            }
            return m;
        }

        /** The owner named by {@code labels}, if they name one completely. */
        public static Optional<Owner> of(Map<String, String> labels) {
            String host = labels.get(OWNER_HOST);
            String pid = labels.get(OWNER_PID);
            String start = labels.get(OWNER_START);
            if (host == null || pid == null || start == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Owner(host, Long.parseLong(pid), Long.parseLong(start),
                        labels.getOrDefault(OWNER_PIDNS, "")));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        /**
         * Whether this owner is a process that still runs on this host: same pid and a start time
         * within a second of the recorded one (pids are reused). Owners on other hosts, or in
         * another pid namespace, count as alive: this process cannot know.
         */
        public boolean isAlive() {
            if (!host.equals(SELF.host) || !pidNamespace.equals(SELF.pidNamespace)) {
                return true;
            }
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .flatMap(p -> p.info().startInstant())
                    .map(i -> Math.abs(i.toEpochMilli() - startMillis) <= 1000)
                    .orElse(false);
        }
    }

    /** This process as an owner. */
    public static Owner self() {
        return SELF;
    }

    /** The owner of process {@code handle} on this host. */
    public static Owner ownerOf(ProcessHandle handle) {
        long start = handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return new Owner(SELF.host, handle.pid(), start);
    }

    private static String pidNamespace() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString();
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    private static Owner computeSelf() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown-host");
        }
        ProcessHandle me = ProcessHandle.current();
        long start = me.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return new Owner(host, me.pid(), start);
    }
}
