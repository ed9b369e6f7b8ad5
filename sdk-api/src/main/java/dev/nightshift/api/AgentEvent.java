package dev.nightshift.api;

import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.api.runtime.ExecResult;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened to an agent. Every event carries the agent id, a per-agent
 * {@link #sequence()} that only grows (1, 2, 3, ... with no gaps), and the time. A reader that
 * remembers the last sequence it saw resumes from there with {@link Agent#events(long, int)}.
 *
 * <p>All text in events has runtime secrets redacted before it is recorded.
 *
 * <p>A model driver's events map one to one onto Cursor's agent messages: {@link AssistantDelta}
 * (streamed text) and {@link MessageAdded} of an assistant message are {@code assistant};
 * {@link ToolCallStarted} is {@code tool_call} {@code running}; {@link ToolCallFinished} is
 * {@code tool_call} {@code completed} or {@code error}; {@link ModelUsageReported} is
 * {@code usage}; {@link StatusChanged} is {@code status}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> values; kept in the agent's event log
 * until the agent is deleted or expires.
 *
 * <pre>{@code
 * agent.addListener(event -> {
 *     switch (event) {
 *         case AgentEvent.StatusChanged s -> System.out.println(s.from() + " -> " + s.to());
 *         case AgentEvent.CommandOutput o -> System.out.println(o.line());
 *         default -> { }
 *     }
 * });
 * }</pre>
 * (Pattern matching for switch needs Java 21; on 17 use {@code instanceof}.)
 */
public sealed interface AgentEvent {

    /** The agent this event belongs to. */
    String agentId();

    /** Position in the agent's log, starting at 1. */
    long sequence();

    /** When it happened. */
    Instant time();

    /** The same event at another position; used by the engine when it appends. */
    AgentEvent withSequence(long sequence);

    /** The status changed. */
    record StatusChanged(String agentId, long sequence, Instant time, AgentStatus from, AgentStatus to,
            String reason) implements AgentEvent {
        public StatusChanged {
            check(agentId, time);
            Objects.requireNonNull(to, "to");
        }

        @Override
        public StatusChanged withSequence(long s) {
            return new StatusChanged(agentId, s, time, from, to, reason);
        }
    }

    /** A line of environment build output (Dockerfile build, build install). */
    record BuildOutput(String agentId, long sequence, Instant time, String line) implements AgentEvent {
        public BuildOutput {
            check(agentId, time);
            Objects.requireNonNull(line, "line");
        }

        @Override
        public BuildOutput withSequence(long s) {
            return new BuildOutput(agentId, s, time, line);
        }
    }

    /**
     * A command started in the agent's machine.
     *
     * @param phase {@code install}, {@code start}, {@code turn}, ...
     * @param command what runs, as shown to a person
     */
    record CommandStarted(String agentId, long sequence, Instant time, String phase, String command)
            implements AgentEvent {
        public CommandStarted {
            check(agentId, time);
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(command, "command");
        }

        @Override
        public CommandStarted withSequence(long s) {
            return new CommandStarted(agentId, s, time, phase, command);
        }
    }

    /** A line a command printed. */
    record CommandOutput(String agentId, long sequence, Instant time, String phase, ExecListener.Stream stream,
            String line) implements AgentEvent {
        public CommandOutput {
            check(agentId, time);
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(line, "line");
        }

        @Override
        public CommandOutput withSequence(long s) {
            return new CommandOutput(agentId, s, time, phase, stream, line);
        }
    }

    /** A command ended. */
    record CommandFinished(String agentId, long sequence, Instant time, String phase, int exitCode,
            ExecResult.Outcome outcome, long durationMillis) implements AgentEvent {
        public CommandFinished {
            check(agentId, time);
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(outcome, "outcome");
        }

        @Override
        public CommandFinished withSequence(long s) {
            return new CommandFinished(agentId, s, time, phase, exitCode, outcome, durationMillis);
        }
    }

    /** A conversation message was added (a prompt, a follow-up, or the driver's answer). */
    record MessageAdded(String agentId, long sequence, Instant time, ConversationMessage message)
            implements AgentEvent {
        public MessageAdded {
            check(agentId, time);
            Objects.requireNonNull(message, "message");
        }

        @Override
        public MessageAdded withSequence(long s) {
            return new MessageAdded(agentId, s, time, message);
        }
    }

    /**
     * Something the user should know that did not stop the agent (an unknown snapshot fell back
     * to the default base, a spec warning, ...).
     *
     * @param code a stable short code, e.g. {@code snapshot-unknown}, {@code spec}
     */
    record Warning(String agentId, long sequence, Instant time, String code, String message) implements AgentEvent {
        public Warning {
            check(agentId, time);
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public Warning withSequence(long s) {
            return new Warning(agentId, s, time, code, message);
        }
    }

    /** Usage was recorded: machine seconds in a phase, or tokens a driver reported. */
    record UsageReported(String agentId, long sequence, Instant time, String phase, double machineSeconds,
            long inputTokens, long outputTokens) implements AgentEvent {
        public UsageReported {
            check(agentId, time);
            Objects.requireNonNull(phase, "phase");
        }

        @Override
        public UsageReported withSequence(long s) {
            return new UsageReported(agentId, s, time, phase, machineSeconds, inputTokens, outputTokens);
        }
    }

    /** A turn's work was handed off: committed and (when requested) pushed. */
    record HandedOff(String agentId, long sequence, Instant time, String branch, String commit, boolean pushed,
            String summary) implements AgentEvent {
        public HandedOff {
            check(agentId, time);
            Objects.requireNonNull(branch, "branch");
        }

        @Override
        public HandedOff withSequence(long s) {
            return new HandedOff(agentId, s, time, branch, commit, pushed, summary);
        }
    }

    /** A human took over ({@code takenOver} true) or handed back (false). */
    record TakeOverChanged(String agentId, long sequence, Instant time, boolean takenOver) implements AgentEvent {
        public TakeOverChanged {
            check(agentId, time);
        }

        @Override
        public TakeOverChanged withSequence(long s) {
            return new TakeOverChanged(agentId, s, time, takenOver);
        }
    }

    /**
     * The agent's machine changed: {@code started}, {@code hibernated}, {@code restored},
     * {@code removed}, {@code snapshot-promoted}.
     */
    record MachineChanged(String agentId, long sequence, Instant time, String change, String machineId,
            String snapshotId) implements AgentEvent {
        public MachineChanged {
            check(agentId, time);
            Objects.requireNonNull(change, "change");
        }

        @Override
        public MachineChanged withSequence(long s) {
            return new MachineChanged(agentId, s, time, change, machineId, snapshotId);
        }
    }

    /**
     * A piece of assistant text as the model streams it; the whole text follows as a
     * {@link MessageAdded}. Cursor's {@code assistant} message.
     */
    record AssistantDelta(String agentId, long sequence, Instant time, String text) implements AgentEvent {
        public AssistantDelta {
            check(agentId, time);
            Objects.requireNonNull(text, "text");
        }

        @Override
        public AssistantDelta withSequence(long s) {
            return new AssistantDelta(agentId, s, time, text);
        }
    }

    /**
     * A tool call began (Cursor's {@code tool_call}, {@code running}).
     *
     * @param callId the model's id of the call
     * @param name the tool
     * @param arguments its arguments as JSON text (redacted)
     */
    record ToolCallStarted(String agentId, long sequence, Instant time, String callId, String name, String arguments)
            implements AgentEvent {
        public ToolCallStarted {
            check(agentId, time);
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(name, "name");
            arguments = arguments == null ? "" : arguments;
        }

        @Override
        public ToolCallStarted withSequence(long s) {
            return new ToolCallStarted(agentId, s, time, callId, name, arguments);
        }
    }

    /**
     * A tool call ended (Cursor's {@code tool_call}, {@code completed} or, when {@code error},
     * {@code error}).
     *
     * @param callId the model's id of the call
     * @param name the tool
     * @param arguments its arguments as JSON text (redacted)
     * @param error whether the tool failed (the model was told so)
     * @param result what the model was sent, cut to a few KiB with head and tail kept
     * @param exitCode the exit code of the command it ran; empty when it ran none
     * @param durationMillis how long the tool took
     */
    record ToolCallFinished(String agentId, long sequence, Instant time, String callId, String name,
            String arguments, boolean error, String result, Optional<Integer> exitCode, long durationMillis)
            implements AgentEvent {
        public ToolCallFinished {
            check(agentId, time);
            exitCode = exitCode == null ? Optional.empty() : exitCode;
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(name, "name");
            arguments = arguments == null ? "" : arguments;
            result = result == null ? "" : result;
        }


        @Override
        public ToolCallFinished withSequence(long s) {
            return new ToolCallFinished(agentId, s, time, callId, name, arguments, error, result, exitCode,
                    durationMillis);
        }
    }

    /** The driver's checklist changed; {@code todos} is the whole list as it now stands. */
    record TodosUpdated(String agentId, long sequence, Instant time, List<Todo> todos) implements AgentEvent {
        public TodosUpdated {
            check(agentId, time);
            todos = todos == null ? List.of() : List.copyOf(todos);
        }

        @Override
        public TodosUpdated withSequence(long s) {
            return new TodosUpdated(agentId, s, time, todos);
        }
    }

    /** One model call's tokens and cost (Cursor's {@code usage}); one event per call. */
    record ModelUsageReported(String agentId, long sequence, Instant time, TokenUsage usage) implements AgentEvent {
        public ModelUsageReported {
            check(agentId, time);
            Objects.requireNonNull(usage, "usage");
        }

        @Override
        public ModelUsageReported withSequence(long s) {
            return new ModelUsageReported(agentId, s, time, usage);
        }
    }

    private static void check(String agentId, Instant time) {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(time, "time");
    }
}
