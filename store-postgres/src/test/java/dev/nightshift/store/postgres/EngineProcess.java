package dev.nightshift.store.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link EngineMain}: commands go to its stdin, answers come from its stdout;
 * its log goes to a file that {@link #log()} reads for failure messages.
 *
 * <p><b>Thread-safety:</b> one test thread. <b>Lifecycle:</b> {@link #close()} kills the process
 * if it still runs.
 */
final class EngineProcess implements AutoCloseable {
    private final Process process;
    private final Writer stdin;
    private final Path logFile;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final long pid;

    private EngineProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
        this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.pid = process.pid();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("EOF " + e);
            }
            lines.add("EOF");
        }, "engine-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts an engine on {@code jdbcUrl} with a short lease; waits for it to be ready. */
    static EngineProcess start(TestPostgres pg, String jdbcUrl, Path state, Path mirrors, Path logFile, String lease)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Dnightshift.lease=" + lease,
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-cp", System.getProperty("java.class.path"),
                EngineMain.class.getName(), jdbcUrl, state.toString(), mirrors.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(logFile.toFile());
        pb.environment().put("PGPASSWORD", pg.password);
        EngineProcess e = new EngineProcess(pb.start(), logFile);
        e.expect("READY", Duration.ofSeconds(90));
        return e;
    }

    /** Sends a command; returns its answer (a line starting with {@code answer}), else fails. */
    String call(String command, String answer, Duration timeout) throws IOException, InterruptedException {
        stdin.write(command + "\n");
        stdin.flush();
        return expect(answer, timeout);
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    String expect(String prefix, Duration timeout) throws InterruptedException {
        String l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (l == null || !l.startsWith(prefix)) {
            throw new AssertionError("engine " + pid + ": expected " + prefix + ", got " + (l == null ? "nothing in " + timeout : l)
                    + "\nits log:\n" + log());
        }
        return l;
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("engine " + pid + " did not die from SIGKILL in 30 s");
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last 200 lines of the engine's log. */
    String log() {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - 200), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
