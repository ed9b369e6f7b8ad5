package dev.nightshift.core.internal.lifecycle;

/**
 * Where an agent's work loop is: the states of its {@link PhaseMachine}. The label of a phase is
 * what events name it by ({@code CommandStarted.phase}) and what a timeout message reports.
 */
public enum Phase {
    /** Before any work: a new agent, or an agent from before a restart. */
    CREATE("create"),
    /** {@code FetchStage}: the repository fetched into the host mirror. */
    FETCH("fetch"),
    /** {@code SpecStage}: the environment spec resolved, the branch named. */
    SPEC("spec"),
    /** The agent's secrets resolved (env, redaction, push guard). */
    SECRETS("secrets"),
    /** {@code BuildStage}: the environment snapshot found or built. */
    BUILD("build"),
    /** {@code MachineStage}: a machine started on the snapshot. */
    START_MACHINE("start-machine"),
    /** {@code CheckoutStage}: the commit checked out on the agent's branch. */
    CHECKOUT("checkout"),
    /** {@code ServicesStage}: the spec's {@code install} command. */
    INSTALL("install"),
    /** {@code ServicesStage}: the spec's {@code start} command. */
    START("start"),
    /** {@code ServicesStage}: the tmux session and the spec's terminals. */
    TERMINALS("terminals"),
    /** {@code TurnStage}: the driver works on a prompt. */
    TURN("turn"),
    /** The turn has ended; nothing interrupts the agent's commands any more. */
    AFTER_TURN("after-turn"),
    /** {@code HandoffStage}: the work committed, brought out and pushed. */
    HANDOFF("handoff");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    /** The name events and messages use ({@code "start-machine"}, {@code "turn"}...). */
    public String label() {
        return label;
    }
}
