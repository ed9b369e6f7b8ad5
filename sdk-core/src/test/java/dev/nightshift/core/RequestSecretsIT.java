package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An agent's own secrets given in its {@link AgentRequest}, on the real Docker runtime: the turn
 * sees them in its environment, and their values are nowhere in the state directory's plain files,
 * the events, or the stored request; a repeated spawn compares requests without them.
 */
class RequestSecretsIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(3);
    static final String RUNTIME_VALUE = "rq-canary-6d2e91f4-runtime";
    static final String ENV_VALUE = "rq-canary-b7c3a058-env";

    @Test
    void secretsInTheRequestReachTheTurnAndAreNeverRecorded() {
        TestRemote remote = TestRemote.create(dir.resolve("r"), SecretsIT.project("true"));
        Path state = dir.resolve("state");
        try (SecretStore store = SecretStore.open(state, LocalKms.openDefault(state));
                Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(state).secretProvider(store)
                        .secretContext(SecretContext.of("tester"))
                        .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(90))).build()) {
            String show = "echo \"key=$(printf '%s' \"$API_TOKEN\" | sha256sum | cut -c1-12)"
                    + " env=$(printf '%s' \"$PLAIN_TOKEN\" | sha256sum | cut -c1-12)\"";
            AgentRequest request = AgentRequest.builder(show, remote.url()).id("rq-1").push(false)
                    .secret("API_TOKEN", SecretKind.RUNTIME, RUNTIME_VALUE)
                    .secret("PLAIN_TOKEN", SecretKind.ENV, ENV_VALUE).build();
            Agent a = ns.spawn(request);
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).status()).as("%s", a.info().error())
                    .isEqualTo(AgentStatus.FINISHED);
            assertThat(SecretsIT.keyLine(a)).as("the turn's environment holds both values")
                    .isEqualTo("key=" + SecretsIT.sha12(RUNTIME_VALUE) + " env=" + SecretsIT.sha12(ENV_VALUE));
            assertThat(store.list(SecretScope.AGENT, "rq-1")).extracting(v -> v.name())
                    .containsExactlyInAnyOrder("API_TOKEN", "PLAIN_TOKEN");

            AgentRequest stored = a.info().request();
            assertThat(stored.secrets()).isEmpty();
            assertThat(stored).isEqualTo(request.withoutSecrets());
            assertThat(stored.toString()).doesNotContain(RUNTIME_VALUE).doesNotContain(ENV_VALUE);
            String events = a.events(0, 100_000).stream().map(AgentEvent::toString).reduce("", String::concat);
            assertThat(events).as("the control: the events hold the turn's output").contains("key=");
            assertThat(events).doesNotContain(RUNTIME_VALUE).doesNotContain(ENV_VALUE);

            ns.closeAndRemoveMachines();
        }
        Path planted = state.resolve("canary-control.txt");
        write(planted, "planted " + ENV_VALUE + "\n");
        assertThat(filesHolding(state)).as("no plain file under the state directory holds a value;"
                + " the planted control is found").containsExactly(planted);
    }

    @Test
    void aRepeatedSpawnComparesRequestsWithoutSecretsAndKeepsTheStoredOnes() {
        TestRemote remote = TestRemote.create(dir.resolve("r"), SecretsIT.project("true"));
        Path state = dir.resolve("state");
        try (SecretStore store = SecretStore.open(state, LocalKms.openDefault(state));
                Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(state).secretProvider(store)
                        .build()) {
            Agent a = ns.spawn(AgentRequest.builder("true", remote.url()).id("rq-2").push(false)
                    .secret("API_TOKEN", SecretKind.RUNTIME, RUNTIME_VALUE).build());
            Agent again = ns.spawn(AgentRequest.builder("true", remote.url()).id("rq-2").push(false)
                    .secret("API_TOKEN", SecretKind.RUNTIME, "another-value").build());
            assertThat(again.id()).isEqualTo(a.id());
            assertThat(store.versions(SecretScope.AGENT, "rq-2", "API_TOKEN")).as("the stored secret is not changed")
                    .hasSize(1);
            assertThat(store.get(SecretScope.AGENT, "rq-2", "API_TOKEN").orElseThrow().value()).isEqualTo(RUNTIME_VALUE);
            assertThatThrownBy(() -> ns.spawn(AgentRequest.builder("false", remote.url()).id("rq-2").push(false)
                    .secret("API_TOKEN", SecretKind.RUNTIME, RUNTIME_VALUE).build()))
                    .isInstanceOf(ConflictException.class).hasMessageNotContaining(RUNTIME_VALUE);
            assertThat(a.awaitStatus(AgentStatus.FINISHED, WAIT).status()).isEqualTo(AgentStatus.FINISHED);
            a.delete();
            assertThat(store.list(SecretScope.AGENT, "rq-2")).as("deleted with the agent").isEmpty();
            ns.closeAndRemoveMachines();
        }
    }

    /** Every regular file under {@code root} whose bytes hold a value, as UTF-8 or base64. */
    static List<Path> filesHolding(Path root) {
        List<byte[]> needles = Stream.of(RUNTIME_VALUE, ENV_VALUE)
                .flatMap(v -> Stream.of(v, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))))
                .map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String text = new String(read(f), StandardCharsets.ISO_8859_1);
                return needles.stream().anyMatch(n -> text.contains(new String(n, StandardCharsets.ISO_8859_1)));
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path f, String text) {
        try {
            Files.writeString(f, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
