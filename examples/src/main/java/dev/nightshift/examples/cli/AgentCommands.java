package dev.nightshift.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.Page;
import dev.nightshift.api.Subscription;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.TerminalInfo;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.ShellDriver;
import dev.nightshift.model.ModelDriver;
import dev.nightshift.docker.DockerRuntime;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The agent commands of {@link NightshiftCli}.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
final class AgentCommands {
    /** Statuses in which an agent's turn has ended. */
    static final Set<AgentStatus> IDLE = Set.of(AgentStatus.FINISHED, AgentStatus.STOPPED, AgentStatus.ERROR,
            AgentStatus.CANCELLED, AgentStatus.EXPIRED);

    private AgentCommands() {
    }

    /** Where a prompt comes from: the option's text, or a file ({@code -} for stdin). */
    static final class PromptSource {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt (for the shell driver: a bash script; with --model: plain language).")
        String text;

        @Option(names = {"-f", "--prompt-file"}, paramLabel = "FILE", description = "Read the prompt from FILE ('-' for stdin).")
        Path file;

        String read() {
            try {
                String s = text != null ? text
                        : file.toString().equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(file);
                if (s.isBlank()) {
                    throw new CliException.Usage("the prompt is empty");
                }
                return s;
            } catch (IOException e) {
                throw new CliException.Usage("cannot read the prompt from " + file + ": " + e.getMessage());
            }
        }
    }

    /** Streams an agent's events until its turn ends; returns the exit code for its final state. */
    static int follow(Nightshift engine, Agent agent, Printer printer, long after, Duration timeout) {
        AgentInfo end;
        try (Printer.Ticker ticker = printer.ticker(); Subscription s = agent.addListener(e -> {
            ticker.event(e);
            printer.event(e);
        }, after)) {
            end = agent.awaitStatus(IDLE, timeout);
            // the listener may still be behind: drain what was recorded up to the end
            drain(agent, printer, s);
        }
        printer.line("");
        printer.agent(end);
        return end.status().equals(AgentStatus.ERROR) || end.status().equals(AgentStatus.CANCELLED)
                ? NightshiftCli.AGENT_FAILED : NightshiftCli.OK;
    }

    private static void drain(Agent agent, Printer printer, Subscription s) {
        s.awaitDelivered(agent.info().lastSequence(), Duration.ofSeconds(10));
    }

    /** Statuses of an agent whose turn runs or is about to (as the v0 API names them). */
    private static final Set<String> BUSY_ON_SERVER = Set.of("CREATING", "RUNNING");

    /**
     * Reads the agent from the server until its turn has ended: the v0 API has no event stream,
     * so this polls every half second until {@code timeout}.
     */
    static JsonNode awaitIdleOnServer(ServerClient server, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode a = server.status(id);
            if (!BUSY_ON_SERVER.contains(a.path("status").asText())) {
                return a;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new dev.nightshift.api.NightshiftTimeoutException("agent " + id + " is still "
                        + a.path("status").asText() + " on the server after " + timeout);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
            if (Thread.interrupted()) {
                throw new CliException("interrupted");
            }
        }
    }

    /** An agent as the server's v0 API describes it: the JSON itself with --json, else a few lines. */
    static void printServerAgent(NightshiftCli cli, JsonNode a) {
        if (cli.json) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = Printer.JSON.convertValue(a, Map.class);
            cli.printer().object(fields);
            return;
        }
        cli.printer().line(a.path("id").asText() + "  " + a.path("status").asText());
        if (a.path("target").hasNonNull("branchName")) {
            cli.printer().line("  branch      " + a.path("target").path("branchName").asText());
        }
        if (a.hasNonNull("summary")) {
            cli.printer().line("  summary     " + a.path("summary").asText());
        }
    }

    static String repository(String repo) {
        if (repo.contains("://") || repo.matches("[^/]+@[^:]+:.*")) {
            return repo;
        }
        Path p = Path.of(repo).toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new dev.nightshift.api.NotFoundException("no repository at " + p);
        }
        return p.toUri().toString();
    }

    /** A command on one agent: opens the engine on the state directory, finds the agent, runs. */
    abstract static class OnAgent implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Parameters(paramLabel = "AGENT_ID")
        String id;

        abstract int run(Agent agent) throws Exception;

        /** Checks the command's own input before anything is opened; by default nothing to check. */
        void check() {
        }

        /** The command sent to a running server ({@code --server}); by default not available there. */
        int runOnServer(ServerClient server) throws Exception {
            throw new CliException.Usage("this command is not in the server's v0 API; run it on the server's state"
                    + " directory (--home DIR) instead, where it reaches the agent through the store");
        }

        @Override
        public final Integer call() throws Exception {
            check();
            ServerClient server = cli.serverClient();
            if (server != null) {
                return runOnServer(server);
            }
            try (Nightshift engine = cli.engine()) {
                return run(engine.agent(id));
            }
        }
    }

    @Command(name = "spawn", description = "Spawn an agent and stream its progress until its turn ends.")
    static final class Spawn implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Option(names = {"-r", "--repo"}, required = true, paramLabel = "URL|PATH", description = "Repository (URL or local path).")
        String repo;

        @Option(names = "--ref", description = "Branch, tag or commit to start from (default: the remote's default branch).")
        String ref;

        @ArgGroup(exclusive = true, multiplicity = "1")
        PromptSource prompt;

        @Option(names = {"-b", "--branch"}, description = "The agent's branch (default: derived from the prompt).")
        String branch;

        @Option(names = {"-d", "--driver"}, description = "Driver name (default: 'model' with --model, else 'shell').")
        String driver;

        @Option(names = {"-m", "--model"}, paramLabel = "NAME", description = {
                "Model for the model driver: openai:gpt-4.1, anthropic:claude-sonnet-4-5,",
                "openai-compatible:MODEL@http://HOST:PORT/v1 (keys from OPENAI_API_KEY, ANTHROPIC_API_KEY,",
                "OPENAI_COMPATIBLE_API_KEY). With it the prompt is plain language."})
        String model;

        @Option(names = "--id", description = "Client-chosen agent id (spawn is idempotent on it).")
        String id;

        @Option(names = "--no-push", description = "Do not push the branch after each turn.")
        boolean noPush;

        @Option(names = "--detach", description = "Hand the agent to a background process and return at once.")
        boolean detach;

        @Option(names = "--timeout", defaultValue = "PT2H", description = "How long to stream before giving up (ISO-8601, default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            cli.localOnly("spawn");
            String repository = repository(repo);
            AgentRequest request = AgentRequest.builder(prompt.read(), repository).ref(ref).branchName(branch)
                    .driver(driver != null ? driver : model != null ? ModelDriver.NAME : ShellDriver.NAME).model(model)
                    .push(!noPush).id(id != null ? id : "bc-" + UUID.randomUUID()).build();
            Printer printer = cli.printer();
            if (detach) {
                return Detached.launch(cli, request, printer);
            }
            try (Nightshift engine = cli.engine()) {
                Agent agent = engine.spawn(request);
                printer.line("spawned " + agent.id());
                return follow(engine, agent, printer, 0, timeout);
            }
        }
    }

    /** Internal: the background process behind {@code spawn --detach}. */
    @Command(name = "hold", hidden = true)
    static final class Hold implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Option(names = "--request", required = true)
        Path requestFile;

        @Override
        public Integer call() throws Exception {
            AgentRequest request = Detached.readRequest(requestFile);
            Files.deleteIfExists(requestFile);
            try (Nightshift engine = cli.engine()) {
                Agent agent = engine.spawn(request);
                System.out.println("ready " + agent.id());
                System.out.flush();
                System.out.close(); // the launching process stops reading here
                System.setOut(new PrintStream(new FileOutputStream(Detached.log(cli.home(), agent.id()).toFile(), true), true));
                Printer printer = new Printer(System.out, false);
                // other processes control the agent through this engine (the store's control inbox):
                // a follow-up they send keeps it busy, so hold on until it is idle with nothing queued
                int code;
                long after = 0;
                do {
                    code = follow(engine, agent, printer, after, Duration.ofDays(1));
                    after = agent.info().lastSequence();
                } while (agent.info().status().isActive());
                return code;
            }
        }
    }

    /** Launching {@link Hold} in the background. */
    static final class Detached {
        private Detached() {
        }

        static Path log(Path home, String id) {
            return home.resolve("cli").resolve(id + ".log");
        }

        static int launch(NightshiftCli cli, AgentRequest request, Printer printer) throws Exception {
            Path dir = Files.createDirectories(cli.home().resolve("cli"));
            Path req = dir.resolve(request.id() + ".request.json");
            Files.deleteIfExists(req);
            Files.createFile(req, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(req, Printer.JSON.writeValueAsBytes(request));
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                cmd.add("/usr/bin/setsid"); // survives the terminal that launched it
            }
            cmd.addAll(List.of(java, "-cp", System.getProperty("java.class.path"), NightshiftCli.class.getName(),
                    "hold", "--home", cli.home().toString(), "--request", req.toString()));
            if (cli.dockerInDocker) {
                cmd.add("--docker-in-docker");
            }
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log(cli.home(), request.id()).toFile())).start();
            String first;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                first = r.readLine();
            }
            if (first == null || !first.startsWith("ready ")) {
                p.waitFor();
                throw new CliException("the background process did not start the agent; see " + log(cli.home(), request.id()));
            }
            if (printer.json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("agentId", request.id());
                m.put("pid", p.pid());
                m.put("log", log(cli.home(), request.id()).toString());
                printer.object(m);
            } else {
                printer.line("spawned " + request.id() + " in the background (pid " + p.pid() + ", log "
                        + log(cli.home(), request.id()) + ")");
                printer.line("follow it with: nightshift logs --follow " + request.id());
            }
            return NightshiftCli.OK;
        }

        static AgentRequest readRequest(Path file) throws IOException {
            return Printer.JSON.readValue(Files.readAllBytes(file), AgentRequest.class);
        }
    }

    @Command(name = "list", description = "List agents, newest first.")
    static final class ListAgents implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Option(names = "--status", split = ",", description = "Only these statuses (comma-separated).")
        List<String> statuses;

        @Option(names = "--repo", description = "Only agents on this repository.")
        String repo;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            cli.localOnly("list");
            try (Nightshift engine = cli.engine()) {
                AgentQuery q = AgentQuery.all().withLimit(limit);
                if (statuses != null) {
                    Set<AgentStatus> set = new java.util.HashSet<>();
                    statuses.forEach(s -> set.add(AgentStatus.of(s.trim().toUpperCase(java.util.Locale.ROOT))));
                    q = q.withStatuses(set);
                }
                if (repo != null) {
                    q = q.withRepository(repository(repo));
                }
                Page<AgentInfo> page = engine.list(q);
                cli.printer().agents(page.items(), Instant.now());
                return NightshiftCli.OK;
            }
        }
    }

    @Command(name = "status", description = "Show one agent.")
    static final class Status extends OnAgent {
        @Override
        int run(Agent agent) {
            AgentInfo info = agent.info();
            cli.printer().agent(info, ports(agent, info));
            return NightshiftCli.OK;
        }

        @Override
        int runOnServer(ServerClient server) {
            printServerAgent(cli, server.status(id));
            return NightshiftCli.OK;
        }

        /**
         * The machine's published ports: from the session when this process drives the agent,
         * else from the running machine itself (another process drives it).
         */
        static List<PortMapping> ports(Agent agent, AgentInfo info) {
            Optional<Session> session = agent.session();
            if (session.isPresent()) {
                try (Session s = session.get()) {
                    return s.machine().ports();
                }
            }
            if (info.machineId() == null || info.hibernated() || info.status().isFinal()) {
                return List.of();
            }
            try (DockerRuntime docker = DockerRuntime.builder().reapOrphans(false).removeOnExit(false).build()) {
                // an attached view: never closed here, which would remove the agent's machine
                return docker.attach(info.machineId()).map(Machine::ports).orElse(List.of());
            } catch (RuntimeException e) {
                return List.of();
            }
        }
    }

    @Command(name = "logs", description = "Replay an agent's events from a sequence number, and follow them.")
    static final class Logs implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Parameters(paramLabel = "AGENT_ID")
        String id;

        @Option(names = "--from", defaultValue = "0", description = "Events after this sequence number (default ${DEFAULT-VALUE}).")
        long from;

        @Option(names = {"-F", "--follow"}, description = "Keep following until the agent's turn ends.")
        boolean follow;

        @Override
        public Integer call() {
            cli.localOnly("logs");
            try (Nightshift engine = cli.engine()) {
                Agent agent = engine.agent(id);
                Printer printer = cli.printer();
                if (follow) {
                    try (Subscription s = agent.addListener(printer::event, from)) {
                        AgentInfo end = agent.awaitStatus(IDLE, Duration.ofDays(1));
                        s.awaitDelivered(end.lastSequence(), Duration.ofSeconds(30));
                    }
                    return NightshiftCli.OK;
                }
                long after = from;
                while (true) {
                    List<AgentEvent> batch = agent.events(after, 1000);
                    batch.forEach(printer::event);
                    if (batch.size() < 1000) {
                        return NightshiftCli.OK;
                    }
                    after = batch.get(batch.size() - 1).sequence();
                }
            }
        }
    }

    @Command(name = "followup", description = "Send a follow-up; streams the agent until that turn ends.")
    static final class FollowUp implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Parameters(paramLabel = "AGENT_ID")
        String id;

        @ArgGroup(exclusive = true, multiplicity = "1")
        PromptSource prompt;

        @Option(names = "--no-wait", description = "Return once the follow-up is queued.")
        boolean noWait;

        @Override
        public Integer call() {
            String text = prompt.read();
            ServerClient server = cli.serverClient();
            if (server != null) {
                server.followUp(id, text);
                cli.printer().line("follow-up queued for " + id);
                if (!noWait) {
                    JsonNode end = awaitIdleOnServer(server, id, Duration.ofHours(2));
                    printServerAgent(cli, end);
                    return Set.of("ERROR", "CANCELLED").contains(end.path("status").asText())
                            ? NightshiftCli.AGENT_FAILED : NightshiftCli.OK;
                }
                return NightshiftCli.OK;
            }
            try (Nightshift engine = cli.engine()) {
                Agent agent = engine.agent(id);
                long after = agent.info().lastSequence();
                agent.followUp(text);
                cli.printer().line("follow-up queued for " + id);
                if (noWait) {
                    return NightshiftCli.OK;
                }
                agent.awaitStatus(Set.of(AgentStatus.RUNNING, AgentStatus.CREATING, AgentStatus.ERROR,
                        AgentStatus.CANCELLED, AgentStatus.EXPIRED), Duration.ofMinutes(10));
                return follow(engine, agent, cli.printer(), after, Duration.ofHours(2));
            }
        }
    }

    @Command(name = "takeover", description = "Take the machine over: the driver pauses; prints (or runs) the attach"
            + " command, which lands in a login shell in /workspace, in a window named for you.")
    static final class TakeOverCmd implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Parameters(paramLabel = "AGENT_ID")
        String id;

        @Option(names = "--no-attach", description = "Only print the attach command, even on a terminal.")
        boolean noAttach;

        @Option(names = "--as", paramLabel = "NAME", description = "Name of your shell window (default: your user name).")
        String person;

        @Option(names = "--handback-on-detach", description = "Hand the agent back when you detach (Ctrl-b d).")
        boolean handBackOnDetach;

        @Override
        public Integer call() throws Exception {
            cli.localOnly("takeover");
            try (Nightshift engine = cli.engine()) {
                Agent agent = engine.agent(id);
                TakeOver t = person != null ? agent.takeOver(person) : agent.takeOver();
                String line = t.attach().commandLine();
                if (cli.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("agentId", id);
                    m.put("machineId", t.attach().machineId());
                    m.put("window", t.attach().window());
                    m.put("attach", t.attach().command());
                    m.put("terminals", t.terminals().stream().map(TerminalInfo::name).toList());
                    cli.printer().object(m);
                } else {
                    cli.printer().line("taken over " + id + "; the driver waits at its next checkpoint");
                    cli.printer().line("attach: " + line);
                    cli.printer().line("  (a login shell in " + t.session().workspace() + ", window '"
                            + t.attach().window() + "')");
                    for (TerminalInfo terminal : t.terminals()) {
                        cli.printer().line("terminal window '" + terminal.name() + "': " + terminal.command()
                                + (terminal.running() ? "" : " (ended)"));
                    }
                    cli.printer().line("hand back: nightshift handback " + id);
                }
                if (!noAttach && !cli.json && System.console() != null) {
                    cli.printer().line("attaching (detach with Ctrl-b d" + (handBackOnDetach ? ", which hands back)"
                            : "; then 'nightshift handback " + id + "')"));
                    int code = new ProcessBuilder(t.attach().command()).inheritIO().start().waitFor();
                    if (handBackOnDetach) {
                        agent.handBack();
                        cli.printer().line("handed back " + id);
                    }
                    return code;
                }
                return NightshiftCli.OK;
            }
        }
    }

    @Command(name = "handback", description = "Hand a taken-over agent back to its driver.")
    static final class HandBack extends OnAgent {
        @Override
        int run(Agent agent) {
            agent.handBack();
            cli.printer().line("handed back " + id);
            return NightshiftCli.OK;
        }
    }

    @Command(name = "stop", description = "Stop an agent (keeps its machine state, branch and records).")
    static final class Stop extends OnAgent {
        @Override
        int run(Agent agent) {
            agent.stop();
            cli.printer().agent(agent.awaitStatus(IDLE, Duration.ofMinutes(5)));
            return NightshiftCli.OK;
        }

        @Override
        int runOnServer(ServerClient server) {
            server.stop(id);
            printServerAgent(cli, awaitIdleOnServer(server, id, Duration.ofMinutes(5)));
            return NightshiftCli.OK;
        }
    }

    @Command(name = "egress", description = {"Change where an agent's machines may connect: its running machine"
            + " follows from its next connection, and the machines it gets later (after a hibernation) keep it.",
            "Examples: nightshift egress AGENT_ID --allow registry.npmjs.org --allow '*.example.com';"
            + " nightshift egress AGENT_ID --mode default_with_network_settings --allow api.example.com;"
            + " nightshift egress AGENT_ID --mode network_settings_only (nothing at all)."})
    static final class EgressCmd extends OnAgent {
        @Option(names = "--allow", paramLabel = "HOST", split = ",",
                description = "A host the agent may reach (repeatable, or comma-separated): a name, *.domain (the domain"
                        + " and every name under it) or an IPv4 address; no scheme, port or path.")
        List<String> allow = new ArrayList<>();

        @Option(names = "--mode", paramLabel = "MODE",
                description = "network_settings_only (the default: only the --allow hosts; without any, nothing) or"
                        + " default_with_network_settings (the default list of package registries and git hosts"
                        + " plus the --allow hosts). allow_all is refused: a restricted machine has no route out.")
        String mode;

        /** The policy the options name; bad input is a usage or validation error, never a wider policy. */
        EgressPolicy policy() {
            if (mode == null && allow.isEmpty()) {
                throw new CliException.Usage("say what the agent may reach: --allow HOST (repeatable) and/or --mode"
                        + " network_settings_only|default_with_network_settings");
            }
            String m = mode == null ? "network_settings_only" : mode;
            List<EgressHost> hosts = new ArrayList<>();
            switch (m) {
                case "network_settings_only" -> { }
                case "default_with_network_settings" -> hosts.addAll(EgressPolicy.DEFAULT_HOSTS);
                case "allow_all" -> throw new CliException.Usage("--mode allow_all cannot be set on an agent: its"
                        + " machine's network has no route out but the proxy; give the repository's environment.json"
                        + " egressMode allow_all and spawn a new agent");
                case "parent_plus_network_settings" -> throw new CliException.Usage("--mode"
                        + " parent_plus_network_settings depends on the engine's settings, which this command does"
                        + " not know; use network_settings_only or default_with_network_settings");
                default -> throw new CliException.Usage("unknown --mode '" + m + "': network_settings_only or"
                        + " default_with_network_settings");
            }
            List<String> problems = new ArrayList<>();
            for (String entry : allow) {
                String e = entry.strip();
                EgressHost.problem(e).ifPresentOrElse(p -> problems.add("--allow '" + e + "': " + p),
                        () -> hosts.add(EgressHost.parse(e)));
            }
            if (!problems.isEmpty()) {
                throw new CliException.Invalid(String.join("; ", problems));
            }
            return EgressPolicy.allowOnly(hosts);
        }

        @Override
        void check() {
            policy();
        }

        @Override
        int run(Agent agent) {
            EgressPolicy p = policy();
            agent.updateEgress(p);
            cli.printer().line("network policy of " + id + ": " + (p.hosts().isEmpty() ? "nothing allowed"
                    : "only " + String.join(" ", p.hosts().stream().map(EgressHost::toString).toList())));
            return NightshiftCli.OK;
        }
    }

    @Command(name = "delete", description = "Delete an agent: machine, snapshots it owns, records and logs.")
    static final class Delete extends OnAgent {
        @Override
        int run(Agent agent) {
            agent.delete();
            cli.printer().line("deleted " + id);
            return NightshiftCli.OK;
        }

        @Override
        int runOnServer(ServerClient server) {
            server.delete(id);
            cli.printer().line("deleted " + id);
            return NightshiftCli.OK;
        }
    }

    @Command(name = "gc", description = "Sweep leftovers: machines, snapshots and images nothing references (also those of"
            + " state directories that no longer exist), expired agents.")
    static final class Gc implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Override
        public Integer call() {
            try (Nightshift engine = cli.engine()) {
                Nightshift.GcReport r = engine.gc();
                if (cli.json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("machinesRemoved", r.machinesRemoved());
                    m.put("snapshotsRemoved", r.snapshotsRemoved());
                    m.put("agentsExpired", r.agentsExpired());
                    m.put("imagesRemoved", r.imagesRemoved());
                    cli.printer().object(m);
                } else {
                    cli.printer().line("removed " + r.machinesRemoved() + " machines, " + r.snapshotsRemoved()
                            + " snapshots, " + r.imagesRemoved() + " images; expired " + r.agentsExpired() + " agents");
                }
                return NightshiftCli.OK;
            }
        }
    }
}
