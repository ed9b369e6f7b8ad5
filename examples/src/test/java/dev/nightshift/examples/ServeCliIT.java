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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code nightshift keys} and {@code nightshift serve} as a user runs them: a key printed once on
 * its own line and never listed, a server answering with it, a revoked key refused by the
 * running server, and Ctrl-C (SIGTERM) stopping it cleanly.
 */
class ServeCliIT extends CliProcessTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    long commandMinutes() {
        return 5;
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

            // the CLI controls an agent the server drives: through the state directory they share
            String remote = SampleRepository.create(dir.resolve("sample"));
            String create = JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("prompt",
                    JSON.createObjectNode().put("text", "until [ -f /tmp/never ]; do sleep 0.1; done"))
                    .set("source", JSON.createObjectNode().put("repository", remote)).toString();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/agents"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(create)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as("create: %s", created.body()).isIn(200, 201);
            String id = JSON.readTree(created.body()).get("id").asText();
            assertThat(ok("followup", id, "--no-wait", "-p", "echo two > two.txt").stdout())
                    .contains("follow-up queued for " + id);
            HttpResponse<String> conversation = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/agents/" + id
                    + "/conversation")).header("Authorization", "Bearer " + key).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(conversation.body()).as("the server's engine took the CLI's follow-up").contains("echo two > two.txt");
            assertThat(NightshiftCliIT.lastJson(ok("stop", id, "--json")).get("status").asText()).isEqualTo("STOPPED");
            HttpResponse<String> stopped = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/agents/" + id))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(stopped.body()).get("status").asText()).isEqualTo("STOPPED");

            // the same controls sent to the server over its v0 API (--server URL, the key from the environment)
            Map<String, String> withKey = Map.of("NIGHTSHIFT_API_KEY", key);
            Processes.Result followed = Processes.run(dir, withKey, null, 5, command("followup", id, "--server", url,
                    "--json", "-p", "echo three > three.txt"));
            assertThat(followed.exitCode()).as("%s", followed).isZero();
            assertThat(NightshiftCliIT.lastJson(followed).get("status").asText()).isEqualTo("FINISHED");
            Processes.Result status = Processes.run(dir, withKey, null, 5, command("status", id, "--server", url, "--json"));
            assertThat(NightshiftCliIT.lastJson(status).get("id").asText()).isEqualTo(id);
            assertThat(status.stdout() + status.stderr()).doesNotContain(key);
            Processes.Result notThere = Processes.run(dir, withKey, null, 5, command("takeover", id, "--server", url));
            assertThat(notThere.exitCode()).as("take-over is not in the v0 API: %s", notThere).isEqualTo(2);
            Processes.Result badKey = Processes.run(dir, Map.of("NIGHTSHIFT_API_KEY", "nsk_wrong"), null, 5,
                    command("status", id, "--server", url));
            assertThat(badKey.exitCode()).as("%s", badKey).isEqualTo(2);
            assertThat(badKey.stderr()).contains("refused the key").doesNotContain("nsk_wrong");
            Processes.Result unknown = Processes.run(dir, withKey, null, 5, command("status", "bc-unknown", "--server", url));
            assertThat(unknown.exitCode()).isEqualTo(3);
            Processes.Result deleted = Processes.run(dir, withKey, null, 5, command("delete", id, "--server", url));
            assertThat(deleted.exitCode()).as("%s", deleted).isZero();
            HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(url + "/v0/agents/" + id))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(gone.statusCode()).as("deleted in the server's engine").isEqualTo(404);

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
