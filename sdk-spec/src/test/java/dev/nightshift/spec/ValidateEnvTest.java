package dev.nightshift.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateEnvTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        out.reset();
        err.reset();
        return ValidateEnv.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void validFilesExitZeroAndPrintTheirWarnings() throws IOException {
        Path ok = file("ok.json", "{\"install\": \"x\"}");
        Path warn = file("warn.json", "{\"ports\": [3000]}");
        assertThat(run(ok.toString(), warn.toString())).isZero();
        assertThat(out()).isEqualTo(warn + ":1:12: warning: /ports/0: a bare port number; read as {\"port\": 3000}"
                + " (hint: write {\"port\": 3000})" + System.lineSeparator());
        assertThat(run("--strict", ok.toString(), warn.toString())).as("strict: the warning is an error").isEqualTo(1);
        assertThat(out()).contains(": error: /ports/0");
    }

    @Test
    void anyErrorExitsOne() throws IOException {
        Path ok = file("ok.json", "{}");
        Path bad = file("bad.json", "{\"terminals\": [{}]}");
        assertThat(run(bad.toString(), ok.toString())).isEqualTo(1);
        assertThat(out()).isEqualTo(bad + ":1:16: error: /terminals/0: required property 'command' is missing"
                + System.lineSeparator());
    }

    @Test
    void usageAndIoErrorsExitTwo() throws IOException {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("usage: validate-env");
        assertThat(run("--bogus", "x.json")).isEqualTo(2);
        assertThat(run("--repo")).isEqualTo(2);
        assertThat(run(dir.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(err()).contains("cannot read").contains("missing.json");
        Path bad = file("bad.json", "{,}");
        assertThat(run(dir.resolve("missing.json").toString(), bad.toString())).as("I/O outranks invalid").isEqualTo(2);
        assertThat(run("--repo", dir.resolve("nope").toString(), bad.toString())).isEqualTo(2);
        assertThat(run("--help")).isZero();
    }

    @Test
    void repoChecksBuildPathsAgainstADirectory() throws IOException {
        Path env = file("repo/.cursor/environment.json", "{\"build\": {\"dockerfile\": \"Dockerfile\"}}");
        Path repo = dir.resolve("repo");
        assertThat(run(env.toString())).as("text only: fine").isZero();
        assertThat(run("--repo", repo.toString(), env.toString())).isEqualTo(1);
        assertThat(out()).contains("/build/dockerfile: dockerfile 'Dockerfile' not found");
        file("repo/.cursor/Dockerfile", "FROM debian\n");
        assertThat(run("--repo", repo.toString(), env.toString())).isZero();
        assertThat(out()).isEmpty();
    }

    @Test
    void egressErrorsPrintFileLineColumn() throws IOException {
        Path bad = file("egress.json", "{\n  \"egressMode\": \"sometimes\",\n  \"egressAllowlist\": [\"*.ok.org\", \"bad..org\"]\n}");
        assertThat(run(bad.toString())).isEqualTo(1);
        assertThat(out()).startsWith(bad + ":2:3: error: /egressMode: unknown egressMode");
        assertThat(out()).contains(bad + ":3:35: error: /egressAllowlist/1: malformed allowlist entry: ");
        Path ok = file("egress-ok.json", "{\"egressMode\": \"default_with_network_settings\", \"egressAllowlist\": [\"*.ok.org\"]}");
        assertThat(run(ok.toString())).as("control").isZero();
        assertThat(out()).isEmpty();
    }
}
