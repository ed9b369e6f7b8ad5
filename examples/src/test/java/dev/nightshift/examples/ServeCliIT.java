package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nightshift keys} and {@code nightshift serve} as a user runs them: a key printed once on
 * its own line and never listed, a server answering with it, a revoked key refused by the
 * running server, and Ctrl-C (SIGTERM) stopping it cleanly.
 */
class ServeCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Processes.root().resolve("bin/nightshift").toString(),
                "--home", dir.resolve("home").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Processes.Result ok(String... args) throws Exception {
        Processes.Result r = Processes.run(dir, Map.of(), null, 5, command(args));
        assertThat(r.exitCode()).as("nightshift %s%n%s", String.join(" ", args), r).isZero();
        return r;
    }

    @Test
    void keysAndServeWorkTogether() throws Exception {
        Docker.require();
        String key = ok("keys", "create", "ci-bot", "--owner", "platform").stdout().strip();
        assertThat(key).startsWith("nsk_").doesNotContain(" ").doesNotContain("\n");
        String listed = ok("keys", "list").stdout();
        assertThat(listed).contains("ci-bot").contains("platform").doesNotContain(key);
        assertThat(Files.readString(dir.resolve("home/server/api-keys.json"))).doesNotContain(key);

        Process server = new ProcessBuilder(command("serve", "--port", "0", "--json"))
                .directory(dir.toFile()).redirectError(dir.resolve("serve.err").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(2, TimeUnit.MINUTES);
            assertThat(first).as("serve's first line (stderr: %s)", dir.resolve("serve.err")).isNotNull();
            String url = JSON.readTree(first).get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/me"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(me.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(me.body());
            assertThat(body.get("apiKeyName").asText()).isEqualTo("ci-bot");
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/models"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(models.body()).get("models").toString()).contains("shell");

            ok("keys", "revoke", "ci-bot");
            HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/me"))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(revoked.statusCode()).as("the running server refuses a revoked key").isEqualTo(401);

            server.destroy(); // SIGTERM, as Ctrl-C or a service manager sends
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("serve stops on SIGTERM").isTrue();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void serveOnAPostgresStoreNeverShowsItsPassword() throws Exception {
        Docker.require();
        // nothing listens on port 1: the store cannot open, and the error names the URL without its password
        Processes.Result down = Processes.run(dir, Map.of(), null, 5,
                command("serve", "--port", "0", "--store", "postgresql://nightshift:Sup3rSecretPw@127.0.0.1:1/agents"));
        assertThat(down.exitCode()).as("%s", down).isNotZero();
        assertThat(down.stdout() + down.stderr()).contains("unavailable").contains("127.0.0.1:1/agents")
                .doesNotContain("Sup3rSecretPw");
        Processes.Result bad = Processes.run(dir, Map.of(), null, 5,
                command("serve", "--port", "0", "--store", "mysql://nightshift:Sup3rSecretPw@db/agents"));
        assertThat(bad.exitCode()).as("%s", bad).isNotZero();
        assertThat(bad.stdout() + bad.stderr()).contains("--store").contains("postgresql://").contains("***")
                .doesNotContain("Sup3rSecretPw");
        // the same from the environment, as a deployment would give it
        Processes.Result fromEnv = Processes.run(dir, Map.of("NIGHTSHIFT_STORE_URL",
                "postgresql://nightshift:Sup3rSecretPw@127.0.0.1:1/agents"), null, 5, command("serve", "--port", "0"));
        assertThat(fromEnv.exitCode()).as("%s", fromEnv).isNotZero();
        assertThat(fromEnv.stdout() + fromEnv.stderr()).contains("unavailable").doesNotContain("Sup3rSecretPw");
    }
}
