package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Dockerfile builds through the engine with every shape of {@code build.context} (paths are
 * relative to {@code .cursor/}): the default {@code .cursor}, the repository root as {@code .},
 * {@code ./} and {@code ..}, and a sub-folder. Every repository holds a marker file in each of
 * those places with different content, and the Dockerfile copies {@code marker.txt} from its
 * context into the image, so the agent's machine shows which context the build really had. A
 * context that leaves the repository fails before any build.
 */
class DockerfileContextIT extends DockerEngineTest {
    static final Duration WAIT = Duration.ofMinutes(4);

    static Map<String, String> repository(String buildJson) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(".cursor/environment.json", "{ \"build\": " + buildJson + ", \"user\": \"ubuntu\" }\n");
        f.put(".cursor/Dockerfile", "FROM " + TestRuntime.BASE_IMAGE + "\nCOPY marker.txt /opt/marker.txt\n");
        f.put(".cursor/marker.txt", "from .cursor\n");
        f.put("marker.txt", "from the repository root\n");
        f.put("docker/marker.txt", "from docker/\n");
        return f;
    }

    @Test
    void everyContextShapeBuildsFromItsOwnFolderAndOneOutsideTheRepositoryIsAClearError() {
        // context in environment.json -> what the built machine must hold
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{ \"dockerfile\": \"Dockerfile\" }", "from .cursor");
        cases.put("{ \"dockerfile\": \"Dockerfile\", \"context\": \".\" }", "from the repository root");
        cases.put("{ \"dockerfile\": \"Dockerfile\", \"context\": \"./\" }", "from the repository root");
        cases.put("{ \"dockerfile\": \"Dockerfile\", \"context\": \"..\" }", "from the repository root");
        cases.put("{ \"dockerfile\": \"Dockerfile\", \"context\": \"../docker\" }", "from docker/");
        Map<String, Agent> agents = new LinkedHashMap<>();
        try (Nightshift ns = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("state"))
                .limits(Limits.DEFAULT.withInstallTimeout(Duration.ofSeconds(60)).withTurnTimeout(Duration.ofSeconds(60)))
                .build()) {
            int n = 0;
            for (String build : cases.keySet()) {
                TestRemote remote = TestRemote.create(dir.resolve("remote-" + n++), repository(build));
                agents.put(build, ns.spawn(AgentRequest.builder("echo \"SUMMARY: $(cat /opt/marker.txt)\"", remote.url())
                        .push(false).build()));
            }
            TestRemote outside = TestRemote.create(dir.resolve("remote-outside"),
                    repository("{ \"dockerfile\": \"Dockerfile\", \"context\": \"../..\" }"));
            Agent refused = ns.spawn(AgentRequest.builder("true", outside.url()).push(false).build());

            for (Map.Entry<String, String> c : cases.entrySet()) {
                AgentInfo done = agents.get(c.getKey()).awaitStatus(Set.of(AgentStatus.FINISHED, AgentStatus.ERROR), WAIT);
                assertThat(done.status()).as("build %s: %s", c.getKey(), done.error()).isEqualTo(AgentStatus.FINISHED);
                assertThat(done.summary().orElseThrow()).as("the file the build %s copied from its context", c.getKey())
                        .isEqualTo(c.getValue());
            }
            AgentInfo error = refused.awaitStatus(Set.of(AgentStatus.FINISHED, AgentStatus.ERROR), WAIT);
            assertThat(error.status()).isEqualTo(AgentStatus.ERROR);
            assertThat(error.error().orElseThrow()).as("the error names the context and what is wrong with it")
                    .contains("context '../..'").contains("leaves the repository");
            assertThat(refused.events(0, 1000)).filteredOn(e -> e instanceof AgentEvent.BuildOutput)
                    .extracting(e -> ((AgentEvent.BuildOutput) e).line()).as("no build started: only the fetch spoke")
                    .isNotEmpty().allMatch(line -> line.startsWith("fetching ") || line.startsWith("source commit "));
            ns.closeAndRemoveMachines();
        }
    }
}
