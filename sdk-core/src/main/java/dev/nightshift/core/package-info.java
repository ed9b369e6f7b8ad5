/**
 * The Nightshift engine: {@link dev.nightshift.core.Nightshift} spawns agents and drives them.
 *
 * <h2>Reader's guide: an agent's life, stage by stage</h2>
 *
 * <p>{@code Nightshift.spawn} records the agent and hands it to its actor
 * ({@code internal.AgentActor}: status, work loop, controls), whose loop runs the stages of
 * {@code internal.lifecycle.Lifecycle} in this order:
 *
 * <ol>
 *   <li><b>fetch</b> — {@code FetchStage}: the repository into the host mirror, the ref resolved;
 *   <li><b>resolve spec</b> — {@code SpecStage}: {@code environment.json} (or the saved configs, or
 *       defaults) resolved, the agent's branch named; then the agent's secrets;
 *   <li><b>build</b> — {@code BuildStage}: the environment snapshot found or built
 *       ({@code internal.EnvironmentCache}), shared by agents with the same environment;
 *   <li><b>machine</b> — {@code MachineStage}: a machine started on the snapshot, within the
 *       running-machine cap ({@code AgentMachine});
 *   <li><b>checkout</b> — {@code CheckoutStage}: the commit checked out on the branch in
 *       {@code /workspace};
 *   <li><b>services</b> — {@code ServicesStage}: {@code install}, {@code start}, the terminals;
 *   <li><b>turn</b> — {@code TurnStage}: the driver works on a prompt, under the turn timeout;
 *   <li><b>handoff</b> — {@code HandoffStage}: the work committed, brought out and pushed.
 * </ol>
 *
 * <p>Every control (follow-up, stop, cancel, take-over, hand-back, promotion, network policy,
 * hibernation, delete, expiry, detach) is an {@code internal.AgentCommand} in the agent's inbox
 * ({@code internal.control.Inbox}), applied one at a time in arrival order by
 * {@code internal.AgentControls}; a stop reaches a running turn through the token and an interrupt.
 *
 * <p>Every prompt after the first is another turn and handoff. Between turns
 * {@code internal.MachineControls} hibernates an idle machine and restores it
 * ({@code Lifecycle.restore}: machine and services again), and lets a human take it over. Where the
 * loop is, is a {@code PhaseMachine} (one table of legal moves); a stop, cancel or turn timeout is a
 * {@code CancellationToken} every stage reads. What is recorded (record, events, conversation,
 * usage, redaction) goes through {@code internal.AgentRecorder}.
 *
 * <p>Around the agents: {@code internal.engine} wires the engine from the builder's settings
 * ({@code Engine}), keeps the agents this engine drives and takes over those another engine left
 * ({@code AgentRegistry}), sweeps for idle machines, expired agents and unused images
 * ({@code Sweeper}), and carries out controls sent from other processes ({@code ControlServer}).
 * {@code internal.filestore} is the file store behind {@code FileAgentStore}: records and events,
 * group commit, leases, machine slots, the control inbox.
 */
package dev.nightshift.core;
