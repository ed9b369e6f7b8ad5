/**
 * Model drivers: an {@link dev.nightshift.api.AgentDriver} whose brain is a langchain4j
 * {@code ChatModel}, working in a loop of tool calls (read, edit, run, grep, terminals) inside
 * the agent's machine.
 */
package dev.nightshift.model;
