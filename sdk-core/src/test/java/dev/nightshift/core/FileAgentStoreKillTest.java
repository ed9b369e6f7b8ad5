package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit's promise to a killed process, on a real one: a child JVM writes events,
 * conversation lines and progress-only records through a store that would sync them only an hour
 * later, is killed with SIGKILL without closing the store, and a new store reads everything back.
 */
class FileAgentStoreKillTest {
    @TempDir
    Path dir;

    @Test
    void everythingWrittenBeforeAKillIsReadAfterIt() throws Exception {
        Path state = dir.resolve("state");
        String id = "killed-1";
        int steps = 50;
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FileAgentStoreKillChild.class.getName(), state.toString(), id, String.valueOf(steps))
                .redirectError(dir.resolve("child.err").toFile()).start();
        String written = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("WRITTEN ")) {
                    written = line;
                    break;
                }
            }
            assertThat(written).as("the child wrote; its stderr:%n%s",
                    Files.exists(dir.resolve("child.err")) ? Files.readString(dir.resolve("child.err")) : "").isNotNull();
        } finally {
            child.destroyForcibly(); // SIGKILL: no close, no shutdown hook, no flush
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        long lastSequence = Long.parseLong(written.split(" ")[1]);
        long inputTokens = Long.parseLong(written.split(" ")[2]);
        assertThat(lastSequence).isEqualTo(2L * steps);

        try (FileAgentStore store = FileAgentStore.open(state)) {
            List<AgentEvent> events = store.events(id, 0, 10_000);
            assertThat(events).extracting(AgentEvent::sequence)
                    .as("every event, no gap").containsExactlyElementsOf(LongStream.rangeClosed(1, lastSequence).boxed().toList());
            assertThat(store.lastSequence(id)).isEqualTo(lastSequence);
            List<ConversationMessage> conversation = store.conversation(id);
            assertThat(conversation).hasSize(steps);
            assertThat(conversation.get(steps - 1).text()).isEqualTo("line " + (steps - 1));
            AgentInfo info = store.get(id).orElseThrow();
            assertThat(info.status()).isEqualTo(AgentStatus.RUNNING);
            assertThat(info.usage().inputTokens()).as("the last progress-only record").isEqualTo(inputTokens);
            assertThat(info.lastSequence()).isEqualTo(lastSequence);
        }
    }
}
