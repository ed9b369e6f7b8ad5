package dev.nightshift.core.internal;

import dev.nightshift.api.AttachInfo;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.SetupSession;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.runtime.Terminals;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manual setup flow: a machine started from a repository's environment base with the
 * repository checked out and no agent, for a person to set up by hand and snapshot. Setup
 * machines carry the store's label and {@value #LABEL_SETUP}; they are not agents' machines, so
 * neither the orphan sweep nor hibernation touches them: they run until removed.
 *
 * <p>Snapshots of a setup are labelled like environment snapshots ({@code
 * dev.nightshift.snapshot.kind=environment}, the store label) plus {@value #LABEL_SETUP}, so
 * image gc counts them as environment bases and keeps them.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per engine.
 */
public final class Setups {
    private static final Logger log = LoggerFactory.getLogger(Setups.class);
    /** The setup id of a setup machine (and of its snapshots, which inherit it). */
    public static final String LABEL_SETUP = "dev.nightshift.setup";
    static final String LABEL_SETUP_REPO = "dev.nightshift.setup.repository";
    /** A person's name for a setup snapshot. */
    public static final String LABEL_NAME = "dev.nightshift.snapshot.name";
    private static final String BRANCH = "nightshift/setup";

    private final EngineContext engine;

    public Setups(EngineContext engine) {
        this.engine = engine;
    }

    /** Starts a setup machine for {@code repository} at {@code ref} (null: the default branch). */
    public SetupSession start(String repository, String ref, Consumer<String> output) {
        GitHost.Source source = engine.git().fetch(repository, ref);
        ResolvedSpec resolved = engine.spec().resolve(source.tree());
        EnvironmentCache.BaseChoice base = engine.environments().base(new EnvironmentCache.Request(repository, source,
                resolved, engine.limits().installTimeout(), SecretHooks.Resolved.EMPTY, output, output));
        String user = EnvironmentCache.userFor(resolved.spec(), base.kind());
        String id = "setup-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        MachineSpec spec = MachineSpec.builder(base.image().id()).user(user)
                .limits(engine.limits().machine().orElse(null))
                .label(AgentActor.LABEL_STORE, engine.storeId()).label(LABEL_SETUP, id)
                .label(LABEL_SETUP_REPO, EnvironmentCache.labelSafe(repository))
                .workdir(AgentActor.WORKSPACE).env(engine.machineEnv()).keepOnOwnerExit(true).build(); // a person removes it
        Machine m = engine.runtime().start(spec);
        try {
            engine.git().moveIn(m, repository, source.commit(), BRANCH, AgentActor.WORKSPACE, m.user());
            m.terminals().ensureSession(AgentActor.WORKSPACE);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        output.accept("setup " + id + ": " + base.kind().name().toLowerCase() + " base " + base.image().reference()
                + ", " + source.commit().substring(0, 12) + " checked out in " + AgentActor.WORKSPACE);
        log.info("setup {} started on machine {} for {}", id, m.id(), EnvironmentCache.labelSafe(repository));
        return new View(id, repository, m);
    }

    /** The live setups of this store, oldest first. */
    public List<SetupSession> list() {
        List<SetupSession> out = new ArrayList<>();
        engine.runtime().machines(Map.of(AgentActor.LABEL_STORE, engine.storeId())).stream()
                .filter(i -> i.labels().containsKey(LABEL_SETUP))
                .sorted(Comparator.comparing(MachineInfo::createdAt))
                .forEach(i -> engine.runtime().attach(i.id()).ifPresent(m -> out.add(view(i, m))));
        return List.copyOf(out);
    }

    /** The setup with {@code id}, if its machine runs. */
    public Optional<SetupSession> find(String id) {
        for (MachineInfo i : engine.runtime().machines(Map.of(AgentActor.LABEL_STORE, engine.storeId(), LABEL_SETUP, id))) {
            Optional<Machine> m = engine.runtime().attach(i.id());
            if (m.isPresent()) {
                return Optional.of(view(i, m.get()));
            }
        }
        return Optional.empty();
    }

    /** The setup with {@code id}; {@link NotFoundException} when none runs. */
    public SetupSession get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("no setup " + id + " in this state directory"
                + " (nightshift env setup --list shows them)"));
    }

    private View view(MachineInfo i, Machine m) {
        return new View(i.labels().get(LABEL_SETUP), i.labels().getOrDefault(LABEL_SETUP_REPO, ""), m);
    }

    /** Labels of a setup's snapshot: those of an environment snapshot of this store, plus the setup. */
    Map<String, String> snapshotLabels(String setupId, String repository, String name) {
        Map<String, String> labels = new HashMap<>();
        labels.put(EnvironmentCache.LABEL_KIND, "environment");
        labels.put(AgentActor.LABEL_STORE, engine.storeId());
        labels.put(LABEL_SETUP, setupId);
        labels.put(LABEL_SETUP_REPO, EnvironmentCache.labelSafe(repository));
        if (name != null && !name.isBlank()) {
            labels.put(LABEL_NAME, name);
        }
        return labels;
    }

    private final class View implements SetupSession {
        private final String id;
        private final String repository;
        private final Machine machine;

        View(String id, String repository, Machine machine) {
            this.id = id;
            this.repository = repository;
            this.machine = machine;
        }

        @Override public String id() { return id; }
        @Override public String repository() { return repository; }
        @Override public Machine machine() { return machine; }
        @Override public String workspace() { return AgentActor.WORKSPACE; }
        @Override public String branch() { return BRANCH; }
        @Override public String user() { return machine.user(); }

        /** Lands in a shell named for the person running this process. */
        @Override
        public AttachInfo attach() {
            String person = TakeOverShell.defaultPerson();
            Terminals t = machine.terminals();
            t.openShell(person, AgentActor.WORKSPACE);
            return new AttachInfo(t.attachCommand(person), machine.id(), machine.user(), t.sessionName(), person);
        }

        @Override
        public SnapshotInfo snapshot(String name) {
            SnapshotInfo s = machine.snapshot(snapshotLabels(id, repository, name));
            log.info("setup {}: snapshot {}{}", id, s.id(), name == null ? "" : " (" + name + ")");
            return s;
        }

        @Override
        public void close() {
            machine.close();
        }
    }

}
