package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code nightshift takeover --handback-on-detach} on a terminal, as a person uses it: under a
 * pseudo-terminal (util-linux {@code script}) it attaches at once into the person's shell, a
 * typed command runs there, and detaching hands the agent back (and the process then hibernates
 * the machine as it ends).
 */
class TakeOverCliIT extends CliProcessTest {
    static String docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        return Processes.run(Path.of("."), Map.of(), null, 1, cmd).stdout();
    }

    /** Polls {@code check} (a docker command's output) until it is non-blank, for at most two minutes. */
    static String await(String what, java.util.concurrent.Callable<String> check, Process alive, Path output)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            String got = check.call();
            if (!got.isBlank()) {
                return got.strip();
            }
            assertThat(alive.isAlive()).as("the takeover ended before %s: %s", what, Files.readString(output)).isTrue();
            LockSupport.parkNanos(100_000_000L); // poll interval, with a deadline
        }
        throw new AssertionError("no " + what + " within 2 minutes: " + Files.readString(output));
    }

    @Test
    void takeoverAttachesAtOnceIntoTheShellAndHandsBackOnDetach() throws Exception {
        Docker.require();
        assertThat(Path.of("/usr/bin/script")).as("util-linux script(1) makes the pseudo-terminal").exists();
        String remote = SampleRepository.create(dir.resolve("sample"));
        String id = "bc-takeover-" + UUID.randomUUID();
        ok("spawn", "--repo", remote, "--id", id, "--no-push", "-p", "echo hi > hi.txt");

        String line = String.join(" ", command("takeover", id, "--as", "carol", "--handback-on-detach"));
        Path output = dir.resolve("takeover.out");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-q", "-c", line, "/dev/null")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("TERM", "xterm");
        Process takeover = pb.start();
        try (OutputStream keys = takeover.getOutputStream()) {
            String machine = await("attach line", () -> {
                Matcher m = Pattern.compile("attach: docker exec -it -u \\S+ ([0-9a-f]{12,})")
                        .matcher(Files.readString(output, StandardCharsets.ISO_8859_1));
                return m.find() ? m.group(1) : "";
            }, takeover, output);
            assertThat(Files.readString(output)).contains("window 'carol'");
            await("tmux client", () -> docker("exec", "-u", "ubuntu", machine, "tmux", "list-clients", "-F",
                    "#{client_tty}"), takeover, output);
            keys.write("echo \"$(whoami) $(pwd) $(tmux display-message -p '#W')\" > /workspace/typed.txt\r"
                    .getBytes(StandardCharsets.UTF_8));
            keys.flush();
            String typed = await("typed file", () -> docker("exec", machine, "cat", "/workspace/typed.txt"),
                    takeover, output);
            assertThat(typed).isEqualTo("ubuntu /workspace carol");
            keys.write("\u0002d".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            assertThat(takeover.waitFor(2, TimeUnit.MINUTES)).as("detaching ends the takeover").isTrue();
        } finally {
            takeover.destroyForcibly();
        }
        assertThat(Files.readString(output)).contains("handed back " + id);
        JsonNode status = NightshiftCliIT.lastJson(ok("status", id, "--json"));
        assertThat(status.get("takenOver").asBoolean()).as("handed back on detach").isFalse();
        assertThat(status.get("hibernated").asBoolean()).as("and hibernated as the process ended").isTrue();
        ok("delete", id);
    }
}
