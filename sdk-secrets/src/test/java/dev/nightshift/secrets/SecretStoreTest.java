package dev.nightshift.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretStoreTest {
    static final String TOKEN = "ghp_s3cr3t-T0ken-Value-9876543210";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    LocalKms kms() {
        return LocalKms.open(root.resolve("keys/local-kms.keys"));
    }

    SecretStore store() {
        return SecretStore.open(root, kms());
    }

    Path record(SecretScope scope, String owner, String name, int version) {
        return root.resolve("secrets").resolve(scope.name().toLowerCase()).resolve(SecretStore.encodeOwner(owner))
                .resolve(name).resolve(version + ".json");
    }

    @Test
    void roundTripAcrossReopening() {
        store().set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        Secret s = store().get(SecretScope.USER, "alice", "API_TOKEN").orElseThrow();
        assertThat(s.value()).isEqualTo(TOKEN);
        assertThat(s.kind()).isEqualTo(SecretKind.RUNTIME);
        assertThat(s.version()).isEqualTo(1);
        assertThat(store().get(SecretScope.USER, "bob", "API_TOKEN")).isEmpty();
    }

    @Test
    void setCreatesVersionsThatCanBeListedAndPurged() {
        SecretStore store = store();
        store.set(SecretScope.TEAM, "payments", "NPM_TOKEN", SecretKind.BUILD, "npm-token-one");
        store.set(SecretScope.TEAM, "payments", "NPM_TOKEN", SecretKind.BUILD, "npm-token-two");
        store.set(SecretScope.TEAM, "payments", "NPM_TOKEN", SecretKind.BUILD, "npm-token-three");
        store.set(SecretScope.TEAM, "payments", "REGION", SecretKind.ENV, "eu");
        assertThat(store.versions(SecretScope.TEAM, "payments", "NPM_TOKEN")).extracting(SecretVersion::version)
                .containsExactly(1, 2, 3);
        assertThat(store.get(SecretScope.TEAM, "payments", "NPM_TOKEN").orElseThrow().value()).isEqualTo("npm-token-three");
        assertThat(store.get(SecretScope.TEAM, "payments", "NPM_TOKEN", 1).value()).isEqualTo("npm-token-one");
        assertThat(store.list(SecretScope.TEAM, "payments")).extracting(SecretVersion::name, SecretVersion::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("NPM_TOKEN", 3), org.assertj.core.groups.Tuple.tuple("REGION", 1));

        assertThat(store.purge(SecretScope.TEAM, "payments", "NPM_TOKEN", 1)).isEqualTo(2);
        assertThat(store.versions(SecretScope.TEAM, "payments", "NPM_TOKEN")).extracting(SecretVersion::version).containsExactly(3);
        assertThatThrownBy(() -> store.get(SecretScope.TEAM, "payments", "NPM_TOKEN", 1)).isInstanceOf(NotFoundException.class);

        store.delete(SecretScope.TEAM, "payments", "NPM_TOKEN");
        assertThat(store.get(SecretScope.TEAM, "payments", "NPM_TOKEN")).isEmpty();
        assertThat(store.set(SecretScope.TEAM, "payments", "NPM_TOKEN", SecretKind.BUILD, "npm-token-four").version())
                .as("version numbers are never reused: the build cache key depends on them").isEqualTo(4);
    }

    @Test
    void concurrentSetsGetDistinctVersionsAndLoseNothing() throws Exception {
        SecretStore one = store();
        SecretStore two = store(); // as if another process: separate instances, same directory
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<SecretVersion>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                SecretStore s = i % 2 == 0 ? one : two;
                String value = "value-number-" + i;
                fs.add(pool.submit(() -> s.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, value)));
            }
            List<Integer> versions = new ArrayList<>();
            for (var f : fs) {
                versions.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS).version());
            }
            assertThat(versions).doesNotHaveDuplicates().hasSize(20);
        } finally {
            pool.shutdownNow();
        }
        List<String> values = new ArrayList<>();
        for (SecretVersion v : one.versions(SecretScope.USER, "alice", "API_TOKEN")) {
            values.add(one.get(SecretScope.USER, "alice", "API_TOKEN", v.version()).value());
        }
        assertThat(values).hasSize(20).doesNotHaveDuplicates().allMatch(v -> v.startsWith("value-number-"));
        one.purgeVersion(SecretScope.USER, "alice", "API_TOKEN", 1);
        assertThat(one.versions(SecretScope.USER, "alice", "API_TOKEN")).hasSize(19);
        assertThatThrownBy(() -> one.purgeVersion(SecretScope.USER, "alice", "API_TOKEN", 1)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void agentSecretsGoWithTheAgent() {
        SecretStore store = store();
        store.set(SecretScope.AGENT, "agent-1", "TASK_TOKEN", SecretKind.RUNTIME, TOKEN);
        store.set(SecretScope.AGENT, "agent-2", "TASK_TOKEN", SecretKind.RUNTIME, TOKEN + "2");
        store.deleteOwner(SecretScope.AGENT, "agent-1");
        assertThat(store.secrets(SecretContext.EMPTY.withAgent("agent-1"))).isEmpty();
        assertThat(store.secrets(SecretContext.EMPTY.withAgent("agent-2"))).hasSize(1);
    }

    @Test
    void ownerIdsWithSlashesStayInsideTheStore() throws Exception {
        SecretStore store = store();
        store.set(SecretScope.ENVIRONMENT, "github.com/acme/shop", "REGION", SecretKind.ENV, "eu-west-1");
        store.set(SecretScope.ENVIRONMENT, "../../escape", "REGION", SecretKind.ENV, "x");
        assertThat(store.secrets(SecretContext.EMPTY.withEnvironment("github.com/acme/shop")))
                .extracting(Secret::value).containsExactly("eu-west-1");
        try (Stream<Path> walk = Files.walk(root)) {
            assertThat(walk.filter(Files::isRegularFile).allMatch(p -> p.normalize().startsWith(root))).isTrue();
        }
        assertThat(Files.list(root.resolve("secrets/environment")).map(p -> p.getFileName().toString()).sorted().toList())
                .containsExactly("%2E.%2F..%2Fescape", "github.com%2Facme%2Fshop");
    }

    @Test
    void theStoresFilesHoldNoPlaintext() throws Exception {
        SecretStore store = store();
        List<String> values = List.of(TOKEN, "p@ss word/with+chars&more", "npm-build-secret-value");
        store.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, values.get(0));
        store.set(SecretScope.TEAM, "payments", "DB_PASSWORD", SecretKind.RUNTIME, values.get(1));
        store.set(SecretScope.ENVIRONMENT, "shop", "NPM_TOKEN", SecretKind.BUILD, values.get(2));
        store.rewrap();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        Redactor anyForm = Redactor.of(java.util.Map.of("A", values.get(0), "B", values.get(1), "C", values.get(2)));
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            String latin = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String v : values) {
                assertThat(latin).as("%s", f)
                        .doesNotContain(v)
                        .doesNotContain(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)))
                        .doesNotContain(HexFormat.of().formatHex(v.getBytes(StandardCharsets.UTF_8)))
                        .doesNotContain(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
            assertThat(anyForm.secretsIn(new java.io.ByteArrayInputStream(bytes))).as("no value in any encoded form in %s", f).isEmpty();
        }
        // control: the same search finds a value written in clear
        Path clear = root.resolve("control.txt");
        Files.writeString(clear, "x" + Base64.getEncoder().encodeToString(values.get(2).getBytes(StandardCharsets.UTF_8)));
        assertThat(anyForm.secretsIn(new java.io.ByteArrayInputStream(Files.readAllBytes(clear)))).containsExactly("C");
    }

    @Test
    void filesAndDirectoriesAreOwnerOnly() throws Exception {
        store().set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        Path f = record(SecretScope.USER, "alice", "API_TOKEN", 1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("secrets")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("keys/local-kms.keys"))))
                .isEqualTo("rw-------");
    }

    @Test
    void tamperedCiphertextFailsNamingTheRecordNotTheValue() throws Exception {
        store().set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        Path f = record(SecretScope.USER, "alice", "API_TOKEN", 1);
        ObjectNode r = (ObjectNode) JSON.readTree(f.toFile());
        byte[] ct = Base64.getDecoder().decode(r.get("ciphertext").asText());
        ct[0] ^= 0x01;
        r.put("ciphertext", Base64.getEncoder().encodeToString(ct));
        Files.write(f, JSON.writeValueAsBytes(r));
        assertThatThrownBy(() -> store().get(SecretScope.USER, "alice", "API_TOKEN"))
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining("USER/alice/API_TOKEN v1")
                .hasMessageContaining("edited")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }

    @Test
    void aRecordMovedToAnotherScopeOrNameFailsToDecrypt() throws Exception {
        SecretStore store = store();
        store.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        store.set(SecretScope.AGENT, "agent-1", "API_TOKEN", SecretKind.RUNTIME, "agent-value-1234");
        store.set(SecretScope.USER, "alice", "OTHER", SecretKind.RUNTIME, "other-value-1234");
        // alice's record copied over the agent's: same name, same version, wrong scope and owner
        Files.copy(record(SecretScope.USER, "alice", "API_TOKEN", 1), record(SecretScope.AGENT, "agent-1", "API_TOKEN", 1),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> store.get(SecretScope.AGENT, "agent-1", "API_TOKEN"))
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining("AGENT/agent-1/API_TOKEN v1")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
        // and over another name of the same owner
        Files.copy(record(SecretScope.USER, "alice", "API_TOKEN", 1), record(SecretScope.USER, "alice", "OTHER", 1),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> store.get(SecretScope.USER, "alice", "OTHER")).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("USER/alice/OTHER v1");
        // control: the original still decrypts where it belongs
        assertThat(store.get(SecretScope.USER, "alice", "API_TOKEN").orElseThrow().value()).isEqualTo(TOKEN);
    }

    @Test
    void anEditedKindOrVersionFailsToDecrypt() throws Exception {
        SecretStore store = store();
        store.set(SecretScope.TEAM, "t", "NPM_TOKEN", SecretKind.BUILD, TOKEN);
        Path f = record(SecretScope.TEAM, "t", "NPM_TOKEN", 1);
        ObjectNode r = (ObjectNode) JSON.readTree(f.toFile());
        r.put("kind", "ENV"); // would let a build secret into agent machines, unredacted
        Files.write(f, JSON.writeValueAsBytes(r));
        assertThatThrownBy(() -> store.get(SecretScope.TEAM, "t", "NPM_TOKEN")).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("TEAM/t/NPM_TOKEN v1");
        r.put("kind", "BUILD");
        Files.write(f, JSON.writeValueAsBytes(r));
        assertThat(store.get(SecretScope.TEAM, "t", "NPM_TOKEN").orElseThrow().value()).as("control").isEqualTo(TOKEN);
        Files.move(f, f.resolveSibling("2.json"));
        assertThatThrownBy(() -> store.get(SecretScope.TEAM, "t", "NPM_TOKEN")).isInstanceOf(NightshiftException.class)
                .hasMessageContaining("TEAM/t/NPM_TOKEN v2");
    }

    @Test
    void aStoreOpenedWithTheWrongKeyFailsNamingTheKey() {
        String id = store().set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN).keyId();
        SecretStore wrong = SecretStore.open(root, LocalKms.open(root.resolve("other/kms.keys")));
        assertThatThrownBy(() -> wrong.get(SecretScope.USER, "alice", "API_TOKEN"))
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining("USER/alice/API_TOKEN v1")
                .hasMessageContaining(id)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }

    @Test
    void aReplacedKeyFileWithTheSameKeyIdFailsClearly() throws Exception {
        store().set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        Path keys = root.resolve("keys/local-kms.keys");
        String original = Files.readString(keys);
        String line = original.lines().filter(l -> l.startsWith("local-")).findFirst().orElseThrow();
        // same id, other key: the id check in the file refuses it before any decryption
        String forged = original.replace(line, line.split(" ")[0] + " " + LocalKms.generateKey());
        Files.writeString(keys, forged);
        assertThatThrownBy(this::store).isInstanceOf(NightshiftException.class).hasMessageContaining("local-kms.keys:");
    }

    @Test
    void rotationRewrapsDataKeysWithoutReencryptingValues() throws Exception {
        LocalKms kms = kms();
        SecretStore store = SecretStore.open(root, kms);
        store.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        store.set(SecretScope.TEAM, "payments", "NPM_TOKEN", SecretKind.BUILD, "npm-token-value");
        String oldKey = kms.keyId();
        Path f = record(SecretScope.USER, "alice", "API_TOKEN", 1);
        ObjectNode before = (ObjectNode) JSON.readTree(f.toFile());

        String newKey = kms.rotate();
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(kms.keyIds()).containsExactly(newKey, oldKey);
        assertThat(store.get(SecretScope.USER, "alice", "API_TOKEN").orElseThrow().value())
                .as("old data keys still unwrap before re-wrapping").isEqualTo(TOKEN);
        assertThat(store.keyIdsInUse()).containsExactly(oldKey);
        assertThatThrownBy(() -> kms.retire(newKey)).isInstanceOf(IllegalStateException.class);

        assertThat(store.rewrap()).isEqualTo(2);
        assertThat(store.rewrap()).as("nothing left to re-wrap").isZero();
        assertThat(store.keyIdsInUse()).containsExactly(newKey);
        ObjectNode after = (ObjectNode) JSON.readTree(f.toFile());
        assertThat(after.get("ciphertext")).as("the value was not re-encrypted").isEqualTo(before.get("ciphertext"));
        assertThat(after.get("iv")).isEqualTo(before.get("iv"));
        assertThat(after.get("wrappedKey")).isNotEqualTo(before.get("wrappedKey"));

        kms.retire(oldKey);
        assertThat(kms.keyIds()).containsExactly(newKey);
        assertThat(Files.readString(root.resolve("keys/local-kms.keys"))).doesNotContain(oldKey);
        SecretStore reopened = store();
        assertThat(reopened.get(SecretScope.USER, "alice", "API_TOKEN").orElseThrow().value()).isEqualTo(TOKEN);
        assertThat(reopened.get(SecretScope.TEAM, "payments", "NPM_TOKEN").orElseThrow().value()).isEqualTo("npm-token-value");
    }

    @Test
    void retiringAKeyBeforeRewrappingLosesAccessWithAClearError() {
        LocalKms kms = kms();
        SecretStore store = SecretStore.open(root, kms);
        store.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        String oldKey = kms.keyId();
        kms.rotate();
        kms.retire(oldKey);
        assertThatThrownBy(() -> store.get(SecretScope.USER, "alice", "API_TOKEN"))
                .isInstanceOf(NightshiftException.class)
                .hasMessageContaining(oldKey)
                .hasMessageContaining("retired");
    }

    @Test
    void anotherProcessesRotationIsPickedUp() {
        LocalKms first = kms();
        LocalKms second = kms();
        SecretStore a = SecretStore.open(root, first);
        second.rotate();
        SecretStore b = SecretStore.open(root, second);
        b.set(SecretScope.USER, "alice", "API_TOKEN", SecretKind.RUNTIME, TOKEN);
        assertThat(a.get(SecretScope.USER, "alice", "API_TOKEN").orElseThrow().value())
                .as("an unknown key id makes the KMS re-read its file").isEqualTo(TOKEN);
    }

    @Test
    void invalidNamesAndValuesAreRefusedBeforeAnythingIsWritten() throws Exception {
        SecretStore store = store();
        assertThatThrownBy(() -> store.set(SecretScope.USER, "alice", "NIGHTSHIFT_TOKEN", SecretKind.RUNTIME, TOKEN))
                .isInstanceOf(ValidationException.class).hasMessageContaining("reserved prefix");
        assertThatThrownBy(() -> store.set(SecretScope.USER, "alice", "1BAD", SecretKind.RUNTIME, TOKEN))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> store.set(SecretScope.USER, "alice", "BIG", SecretKind.ENV, "x".repeat(SecretRules.MAX_VALUE_BYTES + 1)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("BIG");
        assertThatThrownBy(() -> store.set(SecretScope.USER, "", "OK", SecretKind.ENV, "v"))
                .isInstanceOf(ValidationException.class);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root.resolve("secrets"))) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        assertThat(files).isEmpty();
    }
}
