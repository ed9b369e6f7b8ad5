package dev.nightshift.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether a Docker engine answers: with CI=true its absence fails the test, elsewhere it skips.
 * And what the engines of a test left on it: every machine and image of an engine's store names
 * the store's state directory ({@code dev.nightshift.store.path}), so a test removes what its
 * stores made, read with the docker CLI.
 */
final class Docker {
    private Docker() {
    }

    static void require() {
        boolean answers;
        try {
            Process p = new ProcessBuilder("docker", "info").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            answers = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            answers = false;
        }
        if ("true".equals(System.getenv("CI")) && !answers) {
            throw new AssertionError("CI=true and no Docker engine answers: run scripts/docker-up (scripts/test does)");
        }
        assumeTrue(answers, "no Docker engine answers: start one with scripts/docker-up (as root) to run this test");
    }

    private static final String PATH_LABEL = "dev.nightshift.store.path";

    private static String run(boolean mustSucceed, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || (mustSucceed && p.exitValue() != 0)) {
            throw new IOException("failed: " + String.join(" ", cmd));
        }
        return out;
    }

    /**
     * {@code <id> <store path>} of managed containers ({@code ps -a}) or images ({@code images -a}),
     * newest first, for those that name a store path.
     */
    private static List<String[]> listed(String kind) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker", kind, "-a", "--filter", "label=dev.nightshift.managed=true"));
        String out;
        if (kind.equals("ps")) {
            cmd.addAll(List.of("--format", "{{.ID}} {{.Label \"" + PATH_LABEL + "\"}}"));
            out = run(true, cmd);
        } else {
            cmd.addAll(List.of("--format", "{{.ID}}"));
            List<String> ids = run(true, cmd).lines().filter(l -> !l.isBlank()).distinct().toList();
            if (ids.isEmpty()) {
                return List.of();
            }
            List<String> inspect = new ArrayList<>(List.of("docker", "image", "inspect", "--format",
                    "{{.Id}} {{index .Config.Labels \"" + PATH_LABEL + "\"}}"));
            inspect.addAll(ids);
            out = run(false, inspect); // an image may go between the two calls
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split(" ", 2);
            if (f.length == 2 && !f[1].isBlank() && !f[1].equals("<no value>")) {
                rows.add(f);
            }
        }
        return rows;
    }

    /** Machines and images whose store lives under {@code dir}: {@code container|image <id>}. */
    static List<String> under(Path dir) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        Path root = dir.toAbsolutePath().normalize();
        for (String[] c : listed("ps")) {
            if (Path.of(c[1]).startsWith(root)) {
                out.add("container " + c[0]);
            }
        }
        for (String[] i : listed("images")) {
            if (Path.of(i[1]).startsWith(root)) {
                out.add("image " + i[0]);
            }
        }
        return out;
    }

    /** Removes the machines, then the images (newest first, so children go before parents) under {@code dir}. */
    static void removeUnder(Path dir) throws IOException, InterruptedException {
        for (int round = 0; round < 3; round++) {
            List<String> left = under(dir);
            if (left.isEmpty()) {
                return;
            }
            for (String what : left) {
                String[] f = what.split(" ");
                List<String> cmd = f[0].equals("container") ? List.of("docker", "rm", "-f", f[1])
                        : List.of("docker", "rmi", f[1]);
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor(5, TimeUnit.MINUTES);
            }
        }
    }
}
