package dev.nightshift.core;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import dev.nightshift.api.TokenUsage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Child JVM of {@link FileAgentStoreKillTest}: writes through a store whose flusher would not
 * sync for an hour, says how much it wrote, and waits to be killed (SIGKILL) without closing it.
 * Args: state directory, agent id, number of steps.
 */
public final class FileAgentStoreKillChild {
    private FileAgentStoreKillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        String id = args[1];
        int steps = Integer.parseInt(args[2]);
        FileAgentStore store = FileAgentStore.open(state, Clock.systemUTC(), Duration.ofHours(1));
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        AgentInfo info = AgentInfo.creating(id, AgentRequest.builder("kill me", "file:///repo.git").id(id).build(), t)
                .withStatus(AgentStatus.RUNNING, t);
        store.put(info); // a status: synced before put returns
        long seq = 0;
        for (int i = 0; i < steps; i++) {
            store.append(new AgentEvent.ToolCallStarted(id, ++seq, t, "c" + i, "read_file", "{}"));
            store.appendMessage(id, ConversationMessage.toolResult("m" + i, "c" + i, "read_file", "line " + i, false, t));
            store.append(new AgentEvent.ModelUsageReported(id, ++seq, t, new TokenUsage("m", 10, 1, 0, 0, 0)));
            info = info.withUsage(info.usage().plus(new TokenUsage("m", 10, 1, 0, 0, 0)), t.plusSeconds(i))
                    .withLastSequence(seq);
            store.put(info); // progress only: written, not synced
        }
        System.out.println("WRITTEN " + seq + " " + info.usage().inputTokens());
        System.out.flush();
        while (true) {
            Thread.sleep(60_000); // waits for the parent's SIGKILL; the parent synchronises on the line above
            store.toString(); // keeps the store reachable: it is never closed
        }
    }
}
