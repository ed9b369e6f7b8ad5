package dev.nightshift.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;

/** Whether a Docker engine answers: with CI=true its absence fails the test, elsewhere it skips. */
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
}
