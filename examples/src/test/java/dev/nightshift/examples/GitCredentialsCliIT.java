package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.git.HttpGitServer;
import dev.nightshift.git.SshGitServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nightshift git-credentials} and the CLI's agents against authenticated git servers in
 * this JVM (smart HTTP with basic auth; SSH with a public key), the way a user runs them: a
 * stored token or SSH key clones a private repository (its submodule and its
 * {@code repositoryDependencies} entry too) and pushes the agent's branch; a wrong token or an
 * unknown host key fails with a clear error; and the secret is found nowhere: not in the state
 * directory's files, the CLI's output, the agent's events, or the machine's file system and
 * process environments (searched from inside the machine, with the secret given in two halves).
 */
class GitCredentialsCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String USER = "alice";
    static final String TOKEN = "nsTOKENcanary-5d21e7b04a";
    static final String WRONG = "nsWRONGtoken-0c9f3e";

    @TempDir
    Path dir;

    final List<Processes.Result> outputs = new ArrayList<>();
    final List<String> agents = new ArrayList<>();

    Processes.Result cli(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.root().resolve("bin/nightshift").toString(),
                "--home", dir.resolve("home").toString()));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(dir, Map.of(), stdin, 10, cmd);
        outputs.add(r);
        return r;
    }

    Processes.Result ok(String stdin, String... args) throws Exception {
        Processes.Result r = cli(stdin, args);
        assertThat(r.exitCode()).as("nightshift %s%n%s", String.join(" ", args), r).isZero();
        return r;
    }

    JsonNode spawn(String repo, String prompt) throws Exception {
        Processes.Result r = cli(null, "spawn", "--repo", repo, "--json", "-p", prompt);
        JsonNode end = JSON.readTree(r.lastLine());
        if (end.has("agentId")) {
            agents.add(end.get("agentId").asText());
        }
        return end;
    }

    /** What the environment snapshots of this test's repositories are labelled with (their remotes). */
    final List<String> remotes = new ArrayList<>();
    final java.time.Instant started = java.time.Instant.now();

    @AfterEach
    void deleteAgentsAndTheirEnvironments() throws Exception {
        for (String id : agents) {
            cli(null, "delete", id);
        }
        cli(null, "gc");
        // the environment build cache outlives agents by design; this test's entries go with it
        remotes.add(dir.toUri().toString());
        Processes.Result images = Processes.run(dir, Map.of(), null, 1, List.of("docker", "images", "-q", "--no-trunc",
                "--filter", "label=dev.nightshift.env.repository"));
        for (String image : images.lines()) {
            Processes.Result labels = Processes.run(dir, Map.of(), null, 1, List.of("docker", "inspect", "--format",
                    "{{index .Config.Labels \"dev.nightshift.env.repository\"}} "
                            + "{{index .Config.Labels \"dev.nightshift.snapshot.created\"}}", image));
            String[] l = labels.stdout().strip().split(" ");
            if (l.length == 2 && remotes.stream().anyMatch(l[0]::startsWith)
                    && !java.time.Instant.parse(l[1]).isBefore(started)) {
                Processes.run(dir, Map.of(), null, 1, List.of("docker", "rmi", "-f", image));
            }
        }
    }

    /** A bare repository {@code dir/<name>/remote.git} with {@code files} on main; returns its path. */
    Path repo(String name, Map<String, String> files) {
        return Path.of(URI.create(SampleRepository.create(dir.resolve(name), files)));
    }

    /** Adds submodule {@code lib} (at {@code libUrl}, pointing at {@code libCommit}) to {@code name}'s main. */
    void addSubmodule(String name, String libUrl, String libCommit) throws Exception {
        Path work = dir.resolve(name).resolve("work");
        Files.writeString(work.resolve(".gitmodules"), "[submodule \"lib\"]\n\tpath = lib\n\turl = " + libUrl + "\n");
        Processes.git(work, "add", ".gitmodules");
        Processes.git(work, "update-index", "--add", "--cacheinfo", "160000," + libCommit + ",lib");
        Processes.git(work, "-c", "user.name=Sample", "-c", "user.email=sample@example.invalid", "commit", "-q", "-m",
                "Add lib");
        Processes.git(work, "push", "-q", dir.resolve(name).resolve("remote.git").toString(), "main");
    }

    /** A prompt that looks for {@code secret} in the machine, holding it only in two halves. */
    static String searchMachine(String secret) {
        int half = secret.length() / 2;
        return "a='" + secret.substring(0, half) + "'; b='" + secret.substring(half) + "'\n"
                + "S=; [ \"$(id -u)\" = 0 ] || S='sudo -n'\n"
                + "found=$($S grep -rlF --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev -e \"$a$b\" / 2>/dev/null;"
                + " $S sh -c 'cat /proc/[0-9]*/environ' 2>/dev/null | tr '\\0' '\\n' | grep -cF -e \"$a$b\" || true)\n"
                + "echo \"SUMMARY: found [$found]\"\n";
    }

    void assertNowhereOnTheHost(String... secrets) throws Exception {
        for (String secret : secrets) {
            for (Processes.Result r : outputs) {
                assertThat(r.stdout() + r.stderr()).as("CLI output").doesNotContain(secret);
            }
            try (var files = Files.walk(dir.resolve("home"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as("state file %s", f)
                            .doesNotContain(secret);
                }
            }
        }
    }

    @Test
    void aStoredTokenClonesAPrivateRepositoryWithItsSubmoduleAndDependencyAndPushes() throws Exception {
        Docker.require();
        try (HttpGitServer server = new HttpGitServer(dir, USER, TOKEN)) {
            Path lib = repo("lib", Map.of("lib.txt", "from the submodule\n"));
            repo("dep", Map.of("dep.txt", "from the dependency\n"));
            Path app = repo("app", Map.of("README.md", "private app\n", ".cursor/environment.json",
                    "{\"install\": \"true\", \"repositoryDependencies\": [\"" + server.url("dep/remote.git") + "\"]}\n"));
            addSubmodule("app", "../../lib/remote.git", Processes.git(lib, "rev-parse", "main"));
            String url = server.url("app/remote.git");
            remotes.add("http://127.0.0.1:" + server.port() + "/");
            String host = "127.0.0.1:" + server.port();

            ok(WRONG + "\n", "git-credentials", "set", host, "--username", USER);
            JsonNode refused = spawn(url, "echo 'SUMMARY: never'");
            assertThat(refused.get("status").asText()).isEqualTo("ERROR");
            assertThat(refused.get("error").asText()).as("the error names the host and the user")
                    .contains(host).contains("refused the credential").contains("'" + USER + "'");
            assertThat(server.refusedLogins.get()).as("the wrong token reached the server").isPositive();

            ok(TOKEN + "\n", "git-credentials", "set", host, "--username", USER);
            assertThat(ok(null, "git-credentials", "list").stdout()).contains(host).contains("token").contains(USER);

            JsonNode done = spawn(url, "echo \"SUMMARY: $(cat lib/lib.txt) + $(cat /deps/remote/dep.txt)\"\n"
                    + "echo change >> README.md\n");
            assertThat(done.get("status").asText()).as("%s", done).isEqualTo("FINISHED");
            assertThat(done.get("summary").asText()).as("the submodule and the dependency reached the machine")
                    .isEqualTo("from the submodule + from the dependency");
            String branch = done.get("branch").asText();
            assertThat(Processes.git(app, "show", branch + ":README.md")).as("the branch pushed with the stored token")
                    .isEqualTo("private app\nchange");

            String id = done.get("agentId").asText();
            Processes.Result searched = ok(null, "followup", id, "--json", "-p", searchMachine(TOKEN));
            assertThat(JSON.readTree(searched.lastLine()).get("summary").asText())
                    .as("the token in the machine's files or process environments").isEqualTo("found [0]");
            Processes.Result events = ok(null, "logs", id, "--json");
            assertThat(events.stdout()).as("events").contains("SUMMARY");
            assertNowhereOnTheHost(TOKEN, WRONG, b64(USER + ":" + TOKEN));
        }
    }

    @Test
    void theMachineSearchBites() throws Exception {
        Docker.require();
        Path app = repo("plain", Map.of("README.md", "x\n", ".cursor/environment.json", "{\"install\": \"true\"}\n"));
        String planted = "nsPLANTEDcanary-77aa";
        JsonNode done = spawn(app.toUri().toString(), "echo '" + planted.substring(0, 8) + "''" + planted.substring(8)
                + "' > planted.txt\n" + searchMachine(planted));
        assertThat(done.get("summary").asText()).as("a planted value is found").startsWith("found [/workspace/planted.txt");
    }

    @Test
    void anSshKeyFetchesAndPushesOnlyFromAPinnedHost() throws Exception {
        Docker.require();
        Path keyFile = dir.resolve("keys/id_ed25519");
        Files.createDirectories(keyFile.getParent());
        Processes.run(dir, Map.of(), null, 1, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nightshift-test",
                "-f", keyFile.toString()));
        String key = Files.readString(keyFile, StandardCharsets.UTF_8);
        String[] keyLines = key.split("\n");
        String keyCanary = keyLines[keyLines.length / 2];
        PublicKey pub = PublicKeyEntry.parsePublicKeyEntry(Files.readString(dir.resolve("keys/id_ed25519.pub")).strip())
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        Path app = repo("sshapp", Map.of("README.md", "ssh app\n", ".cursor/environment.json", "{\"install\": \"true\"}\n"));
        try (SshGitServer server = new SshGitServer(dir, pub)) {
            String url = server.url("sshapp/remote.git");
            remotes.add("ssh://127.0.0.1:" + server.port() + "/");
            String host = "127.0.0.1:" + server.port();

            ok(key, "git-credentials", "set", host, "--kind", "ssh-key", "--host-key",
                    "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
            JsonNode unknown = spawn(url, "echo 'SUMMARY: never'");
            assertThat(unknown.get("status").asText()).isEqualTo("ERROR");
            assertThat(unknown.get("error").asText()).as("an unknown host key is refused, naming its fingerprint")
                    .contains("host key of " + host + " is not known").contains(server.fingerprint());

            ok(key, "git-credentials", "set", host, "--kind", "ssh-key", "--host-key", server.fingerprint());
            assertThat(ok(null, "git-credentials", "list").stdout()).contains(host).contains("ssh-key")
                    .doesNotContain(keyCanary);
            JsonNode done = spawn(url, "echo over-ssh >> README.md\necho 'SUMMARY: pushed over ssh'\n");
            assertThat(done.get("status").asText()).as("%s", done).isEqualTo("FINISHED");
            assertThat(Processes.git(app, "show", done.get("branch").asText() + ":README.md"))
                    .isEqualTo("ssh app\nover-ssh");
            Processes.Result searched = ok(null, "followup", done.get("agentId").asText(), "--json", "-p",
                    searchMachine(keyCanary));
            assertThat(JSON.readTree(searched.lastLine()).get("summary").asText())
                    .as("the private key in the machine").isEqualTo("found [0]");
            ok(null, "logs", done.get("agentId").asText(), "--json");
            assertNowhereOnTheHost(keyCanary);
            assertThat(server.refusedLogins.get()).isZero();
        }
    }

    @Test
    void secretsComeFromStdinNeverArgumentsAndRmForgetsThem() throws Exception {
        Processes.Result arg = cli(null, "git-credentials", "set", "github.com", "ghp_fromTheCommandLine");
        assertThat(arg.exitCode()).isEqualTo(2);
        assertThat(arg.stderr()).contains("stdin").doesNotContain("ghp_fromTheCommandLine");
        assertThat(cli("", "git-credentials", "set", "github.com").exitCode()).as("empty stdin").isEqualTo(5);
        assertThat(cli("not a key\n", "git-credentials", "set", "github.com", "--kind", "ssh-key").exitCode())
                .isEqualTo(5);
        ok("ghp_storedToken123\n", "git-credentials", "set", "https://GitHub.com/acme/");
        Processes.Result list = ok(null, "git-credentials", "list", "--json");
        JsonNode row = JSON.readTree(list.lastLine());
        assertThat(row.get("prefix").asText()).isEqualTo("github.com/acme");
        assertThat(row.get("username").asText()).isEqualTo("x-access-token");
        ok(null, "git-credentials", "rm", "github.com/acme");
        assertThat(cli(null, "git-credentials", "rm", "github.com/acme").exitCode()).isEqualTo(3);
        assertNowhereOnTheHost("ghp_storedToken123");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
