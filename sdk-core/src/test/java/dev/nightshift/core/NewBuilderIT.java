package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Nightshift#newBuilder()}: another engine built from a configured one differs only where
 * told, shares the runtime it was given (closing one engine leaves the other working), and leaves
 * the first engine's configuration as it was.
 */
class NewBuilderIT extends DockerEngineTest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @Test
    void anEngineCopiedAndChangedDiffersOnlyWhereTold() {
        TestRemote remote = TestRemote.create(dir, Map.of("README.md", "# app\n"));
        try (Nightshift alpha = Nightshift.builder().runtime(runtime).stateDirectory(dir.resolve("alpha"))
                .branchPrefix("alpha").gitAuthor("Alpha", "alpha@example.invalid").build()) {
            try (Nightshift beta = alpha.newBuilder().stateDirectory(dir.resolve("beta")).branchPrefix("beta").build()) {
                AgentInfo b = finished(beta, remote, "echo b > b.txt");
                assertThat(b.branch().orElseThrow()).as("changed: the branch prefix").startsWith("beta/");
                assertThat(dir.resolve("beta/agents")).as("changed: the state directory").isDirectory();
                assertThat(beta.get(b.id())).isPresent();
                assertThat(alpha.get(b.id())).as("the two engines keep separate state").isEmpty();
                assertThat(git(remote, "log", "-1", "--format=%an <%ae>", b.branch().orElseThrow()))
                        .as("kept: the git author").isEqualTo("Alpha <alpha@example.invalid>");
            } // closing beta leaves the runtime it shares with alpha open
            AgentInfo a = finished(alpha, remote, "echo a > a.txt");
            assertThat(a.branch().orElseThrow()).as("alpha's own configuration did not change").startsWith("alpha/");
            assertThat(remote.show(a.branch().orElseThrow(), "a.txt")).isEqualTo("a\n");
            try (Nightshift again = alpha.newBuilder().build()) {
                assertThat(again.get(a.id())).as("a plain copy opens alpha's state directory").isPresent();
            }
        }
    }

    private static AgentInfo finished(Nightshift engine, TestRemote remote, String script) {
        AgentInfo info = engine.spawn(AgentRequest.builder(script + "\necho 'SUMMARY: done'", remote.url()).build())
                .awaitStatus(AgentStatus.FINISHED, WAIT);
        assertThat(info.status()).as("error: %s", info.error()).isEqualTo(AgentStatus.FINISHED);
        return info;
    }

    private static String git(TestRemote remote, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        return TestRemote.run(Path.of(URI.create(remote.url())), command).strip();
    }
}
