package dev.nightshift.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ConversationMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A store's JSON keeps its shape now that sdk-api's absent values are {@link Optional}s: each value
 * below is written exactly as the lines of {@code stored-json/before-optional.jsonl}, which the
 * code before that change wrote (a present value as itself, an absent one as {@code null}), and
 * each line reads back to the same value. A store that keeps records as JSON extends it with its
 * own mapper (the file store, PostgreSQL's json columns).
 */
public abstract class StoredJsonShapeContract {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-12-01T10:05:00Z");

    /** {@code value} as the store writes it. */
    protected abstract String write(Object value) throws Exception;

    /** {@code json} as the store reads it into {@code type}. */
    protected abstract <T> T read(String json, Class<T> type) throws Exception;

    static List<Object> values() {
        AgentRequest bare = AgentRequest.builder("say hi", "file:///srv/app.git").build();
        AgentRequest full = AgentRequest.builder("say hi", "file:///srv/app.git").id("a-1").ref("main")
                .branchName("nightshift/hi").model("gpt-x").name("Hi").label("team", "x").build();
        AgentInfo empty = AgentInfo.creating("a-0", bare, T0);
        AgentInfo set = AgentInfo.creating("a-1", full, T0).withBranch("nightshift/hi-1a2b", T1)
                .withHandoff("0123456789abcdef0123456789abcdef01234567", "said hi", T1)
                .withMachine("m-1", "snapshot-1", false, T1).withError("it broke", T1);
        return List.of(empty, set,
                new AgentEvent.ToolCallFinished("a-1", 3, T1, "c1", "run_terminal_cmd", "{}", true, "exit 2",
                        Optional.of(2), 350),
                new AgentEvent.ToolCallFinished("a-1", 4, T1, "c2", "read_file", "{}", false, "text",
                        Optional.empty(), 3),
                ConversationMessage.toolResult("m-2", "c1", "read_file", "# Title", false, T1),
                ConversationMessage.summary("m-3", "so far", "m-2", T1),
                new ConversationMessage("m-1", ConversationMessage.Type.USER_MESSAGE, "hi", T1));
    }

    static List<String> before() throws Exception {
        try (InputStream in = StoredJsonShapeContract.class.getResourceAsStream("/stored-json/before-optional.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    public void optionalValuesAreWrittenAsBeforeAndReadBack() throws Exception {
        List<Object> values = values();
        List<String> before = before();
        assertThat(before).hasSameSizeAs(values);
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            assertThat(write(v)).as("line %d", i + 1).isEqualTo(before.get(i));
            Class<?> type = v instanceof AgentEvent ? AgentEvent.class : v.getClass();
            assertThat(read(before.get(i), type)).as("line %d read back", i + 1).isEqualTo(v);
        }
    }

    @Test
    public void anAbsentKeyOrNullReadsAsEmpty() throws Exception {
        String bare = before().get(0);
        AgentInfo fromNulls = read(bare, AgentInfo.class);
        assertThat(fromNulls.branch()).isEmpty();
        assertThat(fromNulls.request().id()).isEmpty();
        AgentInfo fromMissing = read(bare.replace("\"branch\":null,", "")
                .replace("\"ref\":null,", ""), AgentInfo.class);
        assertThat(fromMissing).isEqualTo(fromNulls);
        assertThat(read(before().get(1), AgentInfo.class).branch()).contains("nightshift/hi-1a2b");
    }
}
