/**
 * Model drivers: an {@link dev.nightshift.api.AgentDriver} whose brain is a langchain4j
 * {@code ChatModel} (or {@code StreamingChatModel}), working in a loop of tool calls inside the
 * agent's machine. {@link dev.nightshift.model.Models} turns names such as {@code openai:gpt-4.1}
 * into models; {@link dev.nightshift.model.ModelDriver} is the driver.
 *
 * <h2>A reader's map of the loop</h2>
 * <ol>
 * <li><b>Spawn.</b> The engine calls {@code ModelDriver.validate(request)}: the model name must
 *     resolve and its key be present (else a {@code ValidationException}, before anything is built).</li>
 * <li><b>Turn.</b> {@code ModelDriver.runTurn} resolves the model, builds the tools
 *     ({@code internal.WorkspaceTools}) and the system prompt ({@code internal.SystemPrompt}: where
 *     the agent is, the terminals and ports, {@code AGENTS.md}, the always-applying
 *     {@code .cursor/rules/*.mdc} inlined and the others listed), then runs a
 *     {@code internal.TurnLoop}.</li>
 * <li><b>Conversation.</b> The loop starts from the stored conversation
 *     ({@code AgentContext.conversation()}, this turn's prompt included), through
 *     {@code internal.Conversations}: the newest compaction summary stands in for what it covers,
 *     and every tool call is answered.</li>
 * <li><b>Step.</b> {@code checkpoint()} (pauses while a human has taken over, throws when stopped),
 *     the limits (steps, tokens, wall clock), compaction when the estimate nears the context window,
 *     then one model call ({@code internal.ModelCaller}) with the tool specifications. Its usage is
 *     reported ({@code reportModelUsage}, priced when the model has a {@code ModelPrice}); the
 *     assistant message is recorded with its tool calls ({@code AgentContext.record}, redacted by the
 *     engine).</li>
 * <li><b>Tools.</b> Each call: {@code toolCallStarted}, arguments parsed (malformed ones are a tool
 *     error the model sees), run in the machine as the session's user in {@code /workspace} (paths
 *     outside refused), the result redacted ({@code AgentContext.redact}) then cut with head and
 *     tail kept, recorded as a tool result, {@code toolCallFinished}. The same failing call five
 *     times in a row ends the turn.</li>
 * <li><b>End.</b> An answer without tool calls ends the turn; its text is the summary (the
 *     engine commits, pushes and records it).</li>
 * <li><b>Errors.</b> 429, 5xx, timeouts, refused connections and idle streams are retried with
 *     bounded backoff (a wait the provider states in its body is honoured: langchain4j does not
 *     expose response headers); 401/403 end the turn naming provider and model, never the key; a
 *     context-length error compacts (older tool results elided, older entries summarised by the
 *     model and recorded as a {@code SUMMARY}) and retries once.</li>
 * <li><b>Interrupts.</b> Around every model call and command the loop registers an
 *     {@code AgentContext.onInterrupt} hook: stop, cancel, a turn timeout or a take-over aborts the
 *     call or kills the command; the loop then calls {@code checkpoint()}, which throws (stop) or
 *     returns after hand-back, and the step runs again with what the human changed.</li>
 * </ol>
 */
package dev.nightshift.model;
