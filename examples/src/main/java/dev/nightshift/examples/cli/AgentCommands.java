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
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.ShellDriver;
import dev.nightshift.model.ModelDriver;
import dev.nightshift.docker.DockerRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * The agent commands of {@link NightshiftCli} that start and watch agents (spawn, list, status,
 * logs, followup), and what the other agent commands share: {@link OnAgent}, {@link #follow},
 * the server's view of an agent. Controls are in {@link ControlCommands}, {@code spawn --detach} in
 * {@link Detached}.
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
            if (info.machineId().isEmpty() || info.hibernated() || info.status().isFinal()) {
                return List.of();
            }
            try (DockerRuntime docker = DockerRuntime.builder().reapOrphans(false).removeOnExit(false).build()) {
                // an attached view: never closed here, which would remove the agent's machine
                return docker.attach(info.machineId().get()).map(Machine::ports).orElse(List.of());
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
}
