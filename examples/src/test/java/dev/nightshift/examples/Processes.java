package dev.nightshift.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs programs the way a user would, and keeps what they printed. */
final class Processes {
    private Processes() {
    }

    /** What a finished process printed. */
    record Result(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().toList();
        }

        String lastLine() {
            List<String> l = lines();
            return l.isEmpty() ? "" : l.get(l.size() - 1);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static Result run(Path workdir, Map<String, String> env, String stdin, long timeoutMinutes, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("ns-out", ".txt");
        Path err = Files.createTempFile("ns-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workdir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutMinutes + " min: " + command + "\n"
                    + Files.readString(out) + "\n" + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** The repository root (the examples module's parent). */
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        return Files.exists(p.resolve("bin/nightshift")) ? p : p.getParent();
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Result r = run(dir, Map.of(), null, 2, cmd);
        if (r.exitCode() != 0) {
            throw new AssertionError("git " + String.join(" ", args) + ": " + r);
        }
        return r.stdout().strip();
    }
}
