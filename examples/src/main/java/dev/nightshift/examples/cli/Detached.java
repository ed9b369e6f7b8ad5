package dev.nightshift.examples.cli;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.core.Nightshift;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code spawn --detach}: the agent is handed to a background process ({@link Hold}, launched
 * here) that drives it until it is idle with nothing queued, writing its events to a log under
 * the state directory; the launching command returns once that process has spawned the agent.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
final class Detached {
    private Detached() {
    }

    /** The log of the background process that drives agent {@code id}. */
    static Path log(Path home, String id) {
        return home.resolve("cli").resolve(id + ".log");
    }

    /**
     * Writes {@code request} (readable by the user only) for the background process, starts that
     * process apart from this terminal, and returns once it has spawned the agent.
     */
    static int launch(NightshiftCli cli, AgentRequest request, Printer printer) throws Exception {
        String id = request.id().orElseThrow(() -> new IllegalArgumentException("a detached spawn needs the agent id"));
        Path dir = Files.createDirectories(cli.home().resolve("cli"));
        Path req = dir.resolve(id + ".request.json");
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
                .redirectError(ProcessBuilder.Redirect.appendTo(log(cli.home(), id).toFile())).start();
        String first;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            first = r.readLine();
        }
        if (first == null || !first.startsWith("ready ")) {
            p.waitFor();
            throw new CliException("the background process did not start the agent; see " + log(cli.home(), id));
        }
        if (printer.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("agentId", id);
            m.put("pid", p.pid());
            m.put("log", log(cli.home(), id).toString());
            printer.object(m);
        } else {
            printer.line("spawned " + id + " in the background (pid " + p.pid() + ", log "
                    + log(cli.home(), id) + ")");
            printer.line("follow it with: nightshift logs --follow " + id);
        }
        return NightshiftCli.OK;
    }

    /** The request {@link #launch} wrote. */
    static AgentRequest readRequest(Path file) throws IOException {
        return Printer.JSON.readValue(Files.readAllBytes(file), AgentRequest.class);
    }

    /** Internal: the background process behind {@code spawn --detach}, launched by {@link #launch}. */
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
                    code = AgentCommands.follow(engine, agent, printer, after, Duration.ofDays(1));
                    after = agent.info().lastSequence();
                } while (agent.info().status().isActive());
                return code;
            }
        }
    }
}
