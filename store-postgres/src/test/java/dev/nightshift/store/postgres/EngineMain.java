package dev.nightshift.store.postgres;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.core.Nightshift;
import dev.nightshift.docker.DockerRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * An engine process of the multi-engine tests: a {@link Nightshift} on the PostgreSQL store
 * (arguments: JDBC URL, state directory, mirror directory; the password in {@code PGPASSWORD}),
 * driven by one command per line on stdin and answering one line per command on stdout:
 * {@code spawn <id> <remote> <base64 prompt>}, {@code followup <id> <base64 prompt>},
 * {@code await <id> <STATUS>} (answers {@code STATUS <id> <status> <machine id>}) and
 * {@code close} (removes the machines it drives, then exits). It prints {@code READY <pid>} first.
 * The lease and sweep are short ({@code -Dnightshift.lease}, {@code nightshift.test.sweep}).
 */
public final class EngineMain {
    private EngineMain() {
    }

    public static void main(String[] args) throws Exception {
        Base64.Decoder b64 = Base64.getDecoder();
        PostgresAgentStore store = PostgresAgentStore.builder(args[0]).user(TestPostgres.USER)
                .password(System.getenv("PGPASSWORD")).maxPoolSize(4).connectTimeout(Duration.ofSeconds(2)).open();
        DockerRuntime runtime = new DockerRuntime();
        Nightshift ns = Nightshift.builder().runtime(runtime).store(store).stateDirectory(Path.of(args[1]))
                .mirrorDirectory(Path.of(args[2]))
                .sweepInterval(Duration.parse(System.getProperty("nightshift.test.sweep", "PT0.5S"))).build();
        System.out.println("READY " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.split(" ");
            try {
                switch (c[0]) {
                    case "spawn" -> {
                        ns.spawn(AgentRequest.builder(new String(b64.decode(c[3]), StandardCharsets.UTF_8), c[2]).id(c[1])
                                .push(false).build());
                        System.out.println("SPAWNED " + c[1]);
                    }
                    case "followup" -> {
                        ns.agent(c[1]).followUp(new String(b64.decode(c[2]), StandardCharsets.UTF_8));
                        System.out.println("FOLLOWED " + c[1]);
                    }
                    case "await" -> {
                        AgentInfo i = ns.agent(c[1]).awaitStatus(AgentStatus.of(c[2]), Duration.ofMinutes(3));
                        System.out.println("STATUS " + c[1] + " " + i.status() + " " + i.machineId().orElse(null));
                    }
                    case "close" -> {
                        ns.closeAndRemoveMachines();
                        runtime.close();
                        store.close();
                        System.out.println("CLOSED");
                        return;
                    }
                    default -> System.out.println("ERROR unknown command " + c[0]);
                }
            } catch (RuntimeException e) {
                System.out.println("ERROR " + e.toString().replace('\n', ' '));
            }
        }
    }
}
