package dev.nightshift.docker.internal;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.machine.CommandOutput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's machines: starting one from a spec (image, user, workdir, labels, egress, limits,
 * ports, the start check), attaching to, listing and removing them, and removing those a dead
 * owner left behind (the reaper and the exit hook).
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per {@link RuntimeCore}.
 */
final class Machines {
    private static final Logger LOG = LoggerFactory.getLogger(Machines.class);
    /** PID 1 of every machine: sleeps, reaps orphans, and stops at once on SIGTERM. */
    static final String INIT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";
    private static final AtomicBoolean EXIT_HOOK = new AtomicBoolean();
    private final RuntimeCore core;
    private final AtomicBoolean reaped = new AtomicBoolean();

    Machines(RuntimeCore core) {
        this.core = core;
    }

    Machine start(MachineSpec spec) {
        if (spec.privileged() && !core.settings().allowPrivileged()) {
            throw new IllegalStateException("the machine spec asks for --privileged, but this runtime was not built with"
                    + " DockerRuntime.builder().allowPrivileged(true)");
        }
        if (core.settings().reapOrphans() && reaped.compareAndSet(false, true)) {
            reapOrphans();
        }
        if (core.settings().removeOnExit() && EXIT_HOOK.compareAndSet(false, true)) {
            java.lang.Runtime.getRuntime().addShutdownHook(new Thread(Machines::removeOwnMachines,
                    "nightshift-docker-exit"));
        }
        InspectImageResponse image = core.images().resolveImage(spec.image());
        String imageUser = image.getConfig() != null ? image.getConfig().getUser() : null;
        String user = spec.user() != null ? spec.user() : imageUser != null && !imageUser.isEmpty() ? imageUser : "root";
        String imageWorkdir = image.getConfig() != null ? image.getConfig().getWorkingDir() : null;
        String workdir = spec.workdir() != null ? spec.workdir()
                : imageWorkdir != null && !imageWorkdir.isEmpty() ? imageWorkdir : null;

        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(Labels.MANAGED, "true");
        labels.putAll(Labels.self().labels());
        if (spec.keepOnOwnerExit()) {
            labels.put(Labels.KEEP_ON_OWNER_EXIT, "true"); // neither the exit hook nor the reaper removes it
        }
        labels.put(Labels.USER, user);
        if (workdir != null) {
            labels.put(Labels.WORKDIR, workdir);
        }
        EgressProxy.Setup egress = null;
        if (!spec.egress().allowAll()) {
            if (spec.privileged() || core.settings().dockerInDocker()) {
                throw new IllegalStateException("a restricted egress policy cannot be enforced on a privileged machine"
                        + " (root in it could change its network rules)");
            }
            egress = core.egress().setUp(spec.egress(), labels);
            labels.put(EgressProxy.LABEL, egress.egressId());
        }
        ResourceLimits limits = spec.limits().orElse(core.settings().defaultLimits());
        List<ExposedPort> exposed = new ArrayList<>();
        List<PortBinding> bindings = new ArrayList<>();
        for (int p : spec.ports()) {
            ExposedPort ep = ExposedPort.tcp(p);
            exposed.add(ep);
            bindings.add(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ep));
        }
        HostConfig host = HostConfig.newHostConfig()
                .withNanoCPUs((long) (limits.cpus() * 1e9))
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withPidsLimit(limits.pids())
                .withPrivileged(spec.privileged())
                .withPortBindings(bindings);
        if (core.settings().dockerInDocker() && !spec.privileged()) {
            // what an inner Docker engine needs (mounts, cgroups, networks, iptables), short of
            // --privileged, which an engine without every capability itself refuses
            host.withCapAdd(Capability.SYS_ADMIN, Capability.NET_ADMIN)
                    .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"));
        }
        CreateContainerCmd create = core.client().createContainerCmd(image.getId())
                .withEntrypoint("/bin/sh", "-c", INIT)
                .withCmd(List.of())
                .withLabels(labels)
                .withExposedPorts(exposed)
                .withHostConfig(host);
        if (workdir != null) {
            create.withWorkingDir(workdir);
        }
        if (egress != null) {
            host.withNetworkMode(egress.network());
            create.withEnv(egress.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
        if (core.settings().createContainerCmdModifier() != null) {
            core.settings().createContainerCmdModifier().accept(create);
        }
        String id;
        try {
            id = create.exec().getId();
        } catch (DockerException e) {
            if (egress != null) {
                core.egress().tearDown(egress.egressId());
            }
            throw new NightshiftException("could not create a machine from " + spec.image() + ": " + e.getMessage().strip(), e);
        }
        try {
            core.client().startContainerCmd(id).exec();
            DockerMachine m = new DockerMachine(core, id, user, workdir, spec.env(), labels);
            if (egress != null) {
                core.egress().lockDown(m, egress);
            }
            core.execServers().start(m);
            CommandOutput check = null;
            // under load the engine can refuse the very first exec of a just-started container
            // (exit 126, "OCI runtime exec failed"): retry that case a few times before giving up
            for (int attempt = 1; attempt <= 4; attempt++) {
                // one exec (through the exec server once it answers): git, the user, its ids, the workdir
                check = m.run(List.of("sh", "-c",
                        "command -v git >/dev/null 2>&1 || { echo 'git: not found' >&2; exit 90; };"
                                + " u=$(id -u \"$1\") && g=$(id -g \"$1\") || exit 91;"
                                + " if [ -n \"$2\" ] && [ ! -d \"$2\" ]; then { mkdir -p \"$2\" && chown \"$u:$g\" \"$2\"; } || :; fi;"
                                + " echo \"$u $g\"",
                        "nightshift-check", user, workdir == null ? "" : workdir), "root", "/", Duration.ofSeconds(60));
                if (check.exit() != 126 || attempt == 4) {
                    break;
                }
                LOG.debug("machine {}: start check exit 126 ({}), retrying", id, check.stderr().strip());
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (check.exit() == 90) {
                throw new EnvironmentUnavailableException("git is missing from image " + spec.image()
                        + ": Nightshift moves the workspace in and out with git; install it in the image"
                        + " (e.g. RUN apt-get install -y git)");
            }
            if (check.exit() == 91) {
                throw new EnvironmentUnavailableException("user '" + user + "' does not exist in image " + spec.image()
                        + " (" + check.stderr().strip() + "); create it in the image or set \"user\" to one that exists");
            }
            if (!check.ok()) {
                throw new NightshiftException("machine " + id + " from " + spec.image() + " failed its start check (exit "
                        + check.exit() + "): " + check.stderr().strip());
            }
            String[] ug = check.out().strip().split("\\s+");
            if (ug.length == 2 && ug[0].matches("\\d+") && ug[1].matches("\\d+")) {
                m.knownIds(user, Integer.parseInt(ug[0]), Integer.parseInt(ug[1]));
            }
            LOG.debug("started machine {} from {} as {}", id, spec.image(), user);
            return m;
        } catch (RuntimeException e) {
            remove(id);
            if (e instanceof DockerException de) {
                throw new NightshiftException("could not start a machine from " + spec.image() + ": "
                        + de.getMessage().strip(), e);
            }
            throw e;
        }
    }

    Optional<Machine> attach(String machineId) {
        try {
            InspectContainerResponse r = core.client().inspectContainerCmd(machineId).exec();
            Map<String, String> labels = r.getConfig().getLabels() == null ? Map.of() : r.getConfig().getLabels();
            if (!"true".equals(labels.get(Labels.MANAGED)) || !Boolean.TRUE.equals(r.getState().getRunning())) {
                return Optional.empty();
            }
            String user = labels.getOrDefault(Labels.USER, "root");
            return Optional.of(new DockerMachine(core, r.getId(), user, labels.get(Labels.WORKDIR), Map.of(), labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    List<MachineInfo> machines(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(Labels.MANAGED, "true");
        List<MachineInfo> out = new ArrayList<>();
        for (Container c : core.client().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
            if (c.getLabels() != null && c.getLabels().containsKey(EgressProxy.LABEL_PROXY)) {
                continue; // a restricted machine's proxy, not a machine
            }
            out.add(new MachineInfo(c.getId(), state(c.getState()), c.getImage(),
                    Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated()), c.getLabels()));
        }
        return List.copyOf(out);
    }

    private static MachineState state(String s) {
        if (s == null) {
            return MachineState.GONE;
        }
        return switch (s) {
            case "running" -> MachineState.RUNNING;
            case "removing", "dead" -> MachineState.GONE;
            default -> MachineState.STOPPED;
        };
    }

    void remove(String id) {
        core.execServers().close(id);
        String egressId = null;
        try {
            Map<String, String> labels = core.client().inspectContainerCmd(id).exec().getConfig().getLabels();
            egressId = labels == null ? null : labels.get(EgressProxy.LABEL);
        } catch (NotFoundException e) {
            // gone: nothing of its egress to find
        }
        try {
            core.client().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            // removal already in progress
        }
        if (egressId != null) {
            core.egress().tearDown(egressId);
        }
    }

    /**
     * Removes every Nightshift machine on this host whose owner process no longer runs (pid gone,
     * or reused by a process with another start time). Machines without complete owner labels,
     * those of other hosts and those started with {@code keepOnOwnerExit} (an agent's,
     * which the engine that owns the agent reattaches or removes; a setup, removed by hand) are
     * left alone.
     *
     * @return the ids removed
     */
    List<String> reapOrphans() {
        List<String> removed = new ArrayList<>();
        Map<String, String> filter = Map.of(Labels.MANAGED, "true", Labels.OWNER_HOST, Labels.self().host());
        for (Container c : core.client().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            if (Labels.outlivesOwner(labels)) {
                continue; // keepOnOwnerExit: an agent's machine (its engine reattaches or removes it) or a setup
            }
            Optional<Labels.Owner> owner = Labels.Owner.of(labels);
            if (owner.isPresent() && !owner.get().isAlive()) {
                LOG.info("removing machine {}: its owner process {} on {} is gone", c.getId(), owner.get().pid(),
                        owner.get().host());
                remove(c.getId());
                removed.add(c.getId());
            }
        }
        return List.copyOf(removed);
    }

    /** The shutdown hook: removes the machines this process owns, on a client of its own. */
    static void removeOwnMachines() {
        Labels.Owner self = Labels.self();
        try (Engine e = new Engine(null)) {
            Map<String, String> filter = new LinkedHashMap<>(self.labels());
            filter.put(Labels.MANAGED, "true");
            for (Container c : e.client().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
                if (Labels.outlivesOwner(c.getLabels())) {
                    continue; // keepOnOwnerExit: an agent's machine or a setup outlives the process
                }
                try {
                    e.client().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                } catch (RuntimeException ignored) {
                    // best effort at exit
                }
            }
        } catch (RuntimeException ignored) {
            // no engine at exit: nothing to remove
        }
    }
}
