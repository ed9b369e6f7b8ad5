/**
 * An agent's life as stages, told by {@link dev.nightshift.core.internal.lifecycle.Lifecycle}:
 * fetch, resolve spec, build, machine, checkout, services, then turn and handoff per prompt. Each
 * stage is a small class taking and returning values; what a stage may do to its agent is its
 * {@link dev.nightshift.core.internal.lifecycle.AgentScope}.
 */
package dev.nightshift.core.internal.lifecycle;
