package dev.nightshift.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.ConversationMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the model driver's events become v1 stream frames (the shell driver's are covered by V1ApiIT). */
class RunStreamTest {
    static final Instant T = Instant.parse("2026-12-03T00:00:00Z");

    static ConversationMessage assistant(String text) {
        return new ConversationMessage("m", ConversationMessage.Type.ASSISTANT_MESSAGE, text, T);
    }

    @Test
    void toolCallsAndStreamedTextMapOntoCursorsMessages() {
        RunStream s = new RunStream(null, null, Duration.ofSeconds(1));
        ObjectNode started = s.map(new AgentEvent.ToolCallStarted("a", 3, T, "call_1", "read_file", "{\"path\":\"a.txt\"}"));
        assertThat(started.get("event").asText()).isEqualTo("tool_call");
        assertThat(started.get("status").asText()).isEqualTo("running");
        assertThat(started.get("args").get("path").asText()).isEqualTo("a.txt");
        ObjectNode failed = s.map(new AgentEvent.ToolCallFinished("a", 4, T, "call_1", "run_terminal_cmd",
                "{\"command\":\"npm test\"}", false, "1 failing", Optional.of(1), 120));
        assertThat(failed.get("status").asText()).isEqualTo("completed");
        assertThat(failed.get("result").get("exitCode").asInt()).isEqualTo(1);
        assertThat(failed.get("result").get("text").asText()).isEqualTo("1 failing");
        ObjectNode error = s.map(new AgentEvent.ToolCallFinished("a", 5, T, "call_2", "edit_file", "{\"path\": ",
                true, "malformed arguments", null, 1));
        assertThat(error.get("status").asText()).isEqualTo("error");
        assertThat(error.get("args").get("raw").asText()).isEqualTo("{\"path\": ");

        assertThat(s.map(new AgentEvent.AssistantDelta("a", 6, T, "Fixed ")).get("text").asText()).isEqualTo("Fixed ");
        assertThat(s.map(new AgentEvent.AssistantDelta("a", 7, T, "it.")).get("text").asText()).isEqualTo("it.");
        assertThat(s.map(new AgentEvent.MessageAdded("a", 8, T, assistant("Fixed it."))))
                .as("streamed text is not sent a second time").isNull();
        assertThat(s.map(new AgentEvent.MessageAdded("a", 9, T, assistant("Done."))).get("text").asText())
                .as("a message that was not streamed is sent whole").isEqualTo("Done.");
    }
}
