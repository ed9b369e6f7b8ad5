package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.spec.EgressHost;
import dev.nightshift.docker.DockerRuntime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's egress phases on the real engine: the build (install) reaches a host the turn may
 * not; the turn's refused request is a warning event on the agent and in its summary. The hosts
 * are a test-made HTTP server (perl on the base image) on a network of its own, which the
 * runtime's egress proxies reach out through; no address outside this machine is a target.
 */
class EgressPhasesIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(4);
    static final String SERVER = "use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 80, Listen => 64,"
            + " ReuseAddr => 1) or die \"$!\"; while (my $c = $s->accept) { my $l = <$c>; while (my $h = <$c>)"
            + " { last if $h =~ /^\\r?\\n$/ } my $b = \"hello from the internet\\n\"; print $c \"HTTP/1.1 200 OK\\r\\n"
            + "Content-Length: \" . length($b) . \"\\r\\nConnection: close\\r\\n\\r\\n$b\"; close $c }";
    /** An HTTP GET through $http_proxy with bash alone (the base image has no curl): prints the status code. */
    static final String FETCH = "fetch() { local p=${http_proxy#http://}; exec 3<>/dev/tcp/${p%:*}/${p##*:} || return 9;"
            + " printf 'GET http://%s/ HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' \"$1\" \"$1\" >&3;"
            + " local line; read -r line <&3; exec 3<&-; echo \"$line\" | cut -d' ' -f2; }; ";
    static final String INTERNET = "nightshift-test-internet-" + UUID.randomUUID().toString().substring(0, 8);
    static DockerClient docker;
    static String server;
    static DockerRuntime egressRuntime;

    @BeforeAll
    static void internet() {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        docker = DockerClientImpl.getInstance(config, new com.github.dockerjava.httpclient5.ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).build());
        docker.createNetworkCmd().withName(INTERNET).withDriver("bridge").exec();
        server = docker.createContainerCmd(TestRuntime.BASE_IMAGE).withEntrypoint("perl", "-e", SERVER).withCmd(List.of())
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(INTERNET))
                .withAliases("allowed.test", "build.test").exec().getId();
        docker.startContainerCmd(server).exec();
        egressRuntime = ((DockerRuntime) runtime).toBuilder().egressNetwork(INTERNET).build();
    }

    @AfterAll
    static void down() {
        if (egressRuntime != null) {
            egressRuntime.close();
        }
        if (server != null) {
            docker.removeContainerCmd(server).withForce(true).exec();
        }
        if (docker != null) {
            docker.removeNetworkCmd(INTERNET).exec();
        }
    }

    static EgressPolicy policy(String... hosts) {
        return EgressPolicy.allowOnly(List.of(hosts).stream().map(EgressHost::parse).toList());
    }

    @Test
    void theBuildReachesAHostTheTurnMayNotAndTheRefusalShows() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("README.md", "# egress\n");
        files.put(".cursor/environment.json", "{\"egressMode\": \"parent_plus_network_settings\",\n"
                + " \"install\": \"" + FETCH.replace("\\", "\\\\").replace("\"", "\\\"")
                + "code=$(fetch build.test); echo build-fetch=$code; [ \\\"$code\\\" = 200 ]\"}\n");
        TestRemote remote = TestRemote.create(dir, files);
        EgressSettings settings = EgressSettings.UNRESTRICTED
                .withBuild(policy("build.test"), policy("build.test", "allowed.test"))
                .withTurn(policy("allowed.test"), policy("allowed.test"));
        try (Nightshift ns = Nightshift.builder().runtime(egressRuntime).stateDirectory(dir.resolve("state"))
                .egress(settings).build()) {
            Agent a = ns.spawn(AgentRequest.builder(FETCH + "echo turn-allowed=$(fetch allowed.test);"
                    + " echo turn-build=$(fetch build.test)", remote.url()).build());
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            List<AgentEvent> events = a.events(0, 100_000);
            assertThat(events).filteredOn(e -> e instanceof AgentEvent.BuildOutput)
                    .extracting(e -> ((AgentEvent.BuildOutput) e).line()).as("the build reached build.test")
                    .contains("build-fetch=200");
            String output = events.stream().filter(e -> e instanceof AgentEvent.CommandOutput)
                    .map(e -> ((AgentEvent.CommandOutput) e).line()).reduce("", (x, y) -> x + y + "\n");
            assertThat(output).contains("turn-allowed=200").contains("turn-build=403");
            assertThat(events).filteredOn(e -> e instanceof AgentEvent.Warning w && w.code().equals("egress-blocked"))
                    .extracting(e -> ((AgentEvent.Warning) e).message()).singleElement().asString()
                    .startsWith("blocked egress to build.test:80 in the turn phase (1 request, first at ");
            assertThat(done.summary().orElseThrow()).contains("Blocked network requests: build.test:80");

            // live change through the engine's session: the next connection follows it, and the
            // following turn keeps it (the turn's narrowing happens once per machine)
            a.session().orElseThrow().machine().updateEgress(policy("allowed.test", "build.test"));
            a.followUp(FETCH + "echo live-build=$(fetch build.test)");
            a.awaitStatus(AgentStatus.FINISHED, WAIT);
            String after = a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.CommandOutput)
                    .map(e -> ((AgentEvent.CommandOutput) e).line()).reduce("", (x, y) -> x + y + "\n");
            assertThat(after).contains("live-build=200");
            a.delete();
        }
    }

    static String output(Agent a) {
        return a.events(0, 100_000).stream().filter(e -> e instanceof AgentEvent.CommandOutput)
                .map(e -> ((AgentEvent.CommandOutput) e).line()).reduce("", (x, y) -> x + y + "\n");
    }

    /**
     * A policy set on the agent (from another engine, through the store's control inbox) holds on
     * its running machine at once, and on the machine restored after a hibernation by a third
     * engine, which reads it from the agent's records: without it that machine would start from the
     * spec's policy again (allowed.test, not build.test).
     */
    @Test
    void aPolicySetOnALiveAgentHoldsAtOnceAndAfterItsMachineIsRestored() throws Exception {
        TestRemote remote = TestRemote.create(dir, Map.of("README.md", "# egress live\n"));
        EgressSettings settings = EgressSettings.UNRESTRICTED.withTurn(policy("allowed.test"), policy("allowed.test"));
        java.util.function.Function<Boolean, Nightshift> engine = hibernateOnClose -> Nightshift.builder()
                .runtime(egressRuntime).stateDirectory(dir.resolve("state")).egress(settings)
                .controlTimeout(Duration.ofMinutes(1)).hibernateOnClose(hibernateOnClose).build();
        String id;
        try (Nightshift driving = engine.apply(true); Nightshift other = engine.apply(false)) {
            Agent a = driving.spawn(AgentRequest.builder(FETCH + "echo first-allowed=$(fetch allowed.test)"
                    + " first-build=$(fetch build.test)", remote.url()).build());
            id = a.id();
            AgentInfo first = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(first.status()).as("error: %s", first.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(output(a)).contains("first-allowed=200 first-build=403");

            assertThatThrownBy(() -> a.updateEgress(EgressPolicy.ALLOW_ALL)).isInstanceOf(IllegalArgumentException.class);
            other.agent(id).updateEgress(policy("build.test")); // runs in the engine that drives it
            String live = AgentEngineIT.exec(a.session().orElseThrow(), FETCH
                    + "echo live-allowed=$(fetch allowed.test) live-build=$(fetch build.test)");
            assertThat(live).as("the running machine follows at its next connection")
                    .contains("live-allowed=403 live-build=200");
            assertThat(a.events(0, 100_000)).filteredOn(e -> e instanceof AgentEvent.Warning w
                    && w.code().equals("egress-changed")).extracting(e -> ((AgentEvent.Warning) e).message())
                    .containsExactly("network policy of this agent's machines set to: allow only build.test");
        } // the driving engine hibernates the machine as it closes
        try (Nightshift later = engine.apply(false)) {
            Agent a = later.agent(id);
            assertThat(a.info().hibernated()).as("hibernated when its engine closed").isTrue();
            a.followUp(FETCH + "echo restored-allowed=$(fetch allowed.test) restored-build=$(fetch build.test)");
            AgentInfo done = a.awaitStatus(AgentStatus.FINISHED, WAIT);
            assertThat(done.status()).as("error: %s", done.error()).isEqualTo(AgentStatus.FINISHED);
            assertThat(a.events(0, 100_000)).as("a new machine, from the hibernation snapshot")
                    .anyMatch(e -> e instanceof AgentEvent.MachineChanged m && m.change().equals("restored"));
            assertThat(output(a)).contains("restored-allowed=403 restored-build=200");
            a.delete();
            later.closeAndRemoveMachines();
        }
    }
}
