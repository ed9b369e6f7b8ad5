/**
 * The engine behind {@link dev.nightshift.core.Nightshift}, by concern: {@code EngineDiscovery}
 * finds what the builder was not given and {@code EngineSettings} holds the resolved
 * configuration; {@code Engine} wires the parts and shuts them down; {@code AgentRegistry} holds
 * the agents this engine drives (spawn, adoption of an agent another engine let go, reattachment
 * after a restart); {@code Sweeper} is the periodic housekeeping and {@code gc()};
 * {@code ControlServer} runs the controls other engines send through the store. Internal: not
 * an API.
 */
package dev.nightshift.core.internal.engine;
