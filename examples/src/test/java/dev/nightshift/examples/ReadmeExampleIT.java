package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import dev.nightshift.model.testing.Reply;
import dev.nightshift.model.testing.ScriptedModelServer;
import dev.nightshift.model.testing.WireFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example, extracted from README.md, compiled and run against a real
 * engine and a bare remote, so it never rots. Also checks the README's first code block is
 * exactly the two commands.
 */
class ReadmeExampleIT {
    @TempDir
    Path dir;

    @AfterEach
    void removeWhatTheEnginesMade() throws Exception {
        if (dir.resolve("state").toFile().exists()) { // only the embedding example runs an engine
            Docker.removeUnder(dir);
            assertThat(Docker.under(dir)).as("machines and images of this test's stores left behind").isEmpty();
        }
    }

    static String readme() throws Exception {
        return Files.readString(Processes.root().resolve("README.md"), StandardCharsets.UTF_8);
    }

    @Test
    void theFirstCodeBlockIsTheTwoCommands() throws Exception {
        Matcher m = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(readme());
        assertThat(m.find()).isTrue();
        assertThat(m.group(1).lines().toList()).containsExactly("scripts/quickstart", "scripts/test");
        for (String script : List.of("scripts/quickstart", "scripts/test")) {
            assertThat(Files.isExecutable(Processes.root().resolve(script))).as(script).isTrue();
        }
    }

    @Test
    void theEmbeddingExampleCompilesRunsAndPushesABranch() throws Exception {
        Docker.require();
        Path classes = compileExample();
        String remote = SampleRepository.create(dir.resolve("sample"));
        Processes.Result r = Processes.run(dir, Map.of(), null, 15, List.of(Processes.java(), "-cp",
                classes + java.io.File.pathSeparator + System.getProperty("java.class.path"), "Embed", remote,
                dir.resolve("state").toString()));
        assertPushedHello(r, remote);
    }

    @Test
    void theEmbeddingExampleRunsWithAModel() throws Exception {
        Docker.require();
        Path classes = compileExample();
        String remote = SampleRepository.create(dir.resolve("sample"));
        try (ScriptedModelServer server = ScriptedModelServer.start()) {
            server.enqueue(
                    Reply.toolCall("write_file", "{\"path\":\"HELLO.md\",\"content\":\"Hello\\n\"}"),
                    Reply.text("Added HELLO.md."),
                    Reply.toolCall("run_terminal_cmd", "{\"command\":\"date >> HELLO.md\"}"),
                    Reply.text("Dated it."));
            Processes.Result r = Processes.run(dir, server.environment(), null, 15, List.of(Processes.java(), "-cp",
                    classes + java.io.File.pathSeparator + System.getProperty("java.class.path"), "Embed", remote,
                    dir.resolve("state").toString(), server.modelName(WireFormat.ANTHROPIC)));
            assertPushedHello(r, remote);
            assertThat(server.requests()).hasSize(4);
            assertThat(server.requests().get(0).lastUserText().orElseThrow()).contains("Add HELLO.md saying Hello");
        }
    }

    private Path compileExample() throws Exception {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme());
        assertThat(m.find()).as("README.md has a java example").isTrue();
        String source = m.group(1);
        assertThat(source.lines().count()).as("about twenty lines").isBetween(15L, 25L);
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Embed.java"), source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, null, null, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), src.resolve("Embed.java").toString());
        assertThat(compiled).as("the README example compiles").isZero();
        return classes;
    }

    private static void assertPushedHello(Processes.Result r, String remote) throws Exception {
        assertThat(r.exitCode()).as("%s", r).isZero();
        // the example's listener prints events on the delivery thread while main prints the result:
        // the last events may come after it, so the result is the line that starts with the status
        List<String> results = r.lines().stream().filter(l -> l.startsWith("FINISHED ")).toList();
        assertThat(results).as("one result line in %s", r).hasSize(1);
        String last = results.get(0);
        assertThat(last).startsWith("FINISHED nightshift/");
        String branch = last.split(" ")[1];
        Path bare = Path.of(java.net.URI.create(remote));
        assertThat(Processes.git(bare, "rev-parse", "refs/heads/" + branch)).isEqualTo(last.split(" ")[2]);
        assertThat(Processes.git(bare, "show", branch + ":HELLO.md")).startsWith("Hello\n");
    }
}
