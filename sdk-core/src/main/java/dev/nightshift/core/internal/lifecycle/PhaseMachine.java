package dev.nightshift.core.internal.lifecycle;

import static dev.nightshift.core.internal.lifecycle.Phase.AFTER_TURN;
import static dev.nightshift.core.internal.lifecycle.Phase.BUILD;
import static dev.nightshift.core.internal.lifecycle.Phase.CHECKOUT;
import static dev.nightshift.core.internal.lifecycle.Phase.CREATE;
import static dev.nightshift.core.internal.lifecycle.Phase.FETCH;
import static dev.nightshift.core.internal.lifecycle.Phase.HANDOFF;
import static dev.nightshift.core.internal.lifecycle.Phase.INSTALL;
import static dev.nightshift.core.internal.lifecycle.Phase.SECRETS;
import static dev.nightshift.core.internal.lifecycle.Phase.SPEC;
import static dev.nightshift.core.internal.lifecycle.Phase.START;
import static dev.nightshift.core.internal.lifecycle.Phase.START_MACHINE;
import static dev.nightshift.core.internal.lifecycle.Phase.TERMINALS;
import static dev.nightshift.core.internal.lifecycle.Phase.TURN;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The agent's phase and the one table of legal moves between phases. A move the table does not
 * list is a bug in the engine: {@link #moveTo} throws {@link IllegalStateException} naming both
 * phases.
 *
 * <p>Reading the table: a new agent goes {@code create → fetch → spec → secrets → build →
 * start-machine → checkout → [install] → [start] → terminals}, then {@code turn → after-turn →
 * handoff} per prompt. A machine is restored ({@code [start] → terminals}) from any phase in which
 * the loop may rest with a machine that is later hibernated. A turn may also follow a create that
 * a stop cut short after checkout (the machine is there, its services may not be); a create that a
 * stop cut short before its checkout starts over at {@code fetch} on the next prompt.
 *
 * <p><b>Thread-safety:</b> synchronised; the agent moves it under its own lock so that controls
 * reading the phase see a consistent one.
 */
public final class PhaseMachine {
    /** From → the phases it may move to. */
    static final Map<Phase, Set<Phase>> LEGAL = new EnumMap<>(Phase.class);

    static {
        LEGAL.put(CREATE, EnumSet.of(FETCH, START, TERMINALS, TURN));
        LEGAL.put(FETCH, EnumSet.of(SPEC, FETCH));
        LEGAL.put(SPEC, EnumSet.of(SECRETS, FETCH));
        LEGAL.put(SECRETS, EnumSet.of(BUILD, FETCH));
        LEGAL.put(BUILD, EnumSet.of(START_MACHINE, FETCH));
        LEGAL.put(START_MACHINE, EnumSet.of(CHECKOUT, FETCH));
        LEGAL.put(CHECKOUT, EnumSet.of(INSTALL, START, TERMINALS, TURN));
        LEGAL.put(INSTALL, EnumSet.of(START, TERMINALS, TURN));
        LEGAL.put(START, EnumSet.of(START, TERMINALS, TURN));
        LEGAL.put(TERMINALS, EnumSet.of(START, TERMINALS, TURN));
        LEGAL.put(TURN, EnumSet.of(AFTER_TURN));
        LEGAL.put(AFTER_TURN, EnumSet.of(HANDOFF));
        LEGAL.put(HANDOFF, EnumSet.of(START, TERMINALS, TURN));
    }

    private Phase current = CREATE;

    /** The phase the agent is in. */
    public synchronized Phase current() {
        return current;
    }

    /** Moves to {@code next}; throws {@link IllegalStateException} when the table does not allow it. */
    public synchronized void moveTo(Phase next) {
        if (!LEGAL.get(current).contains(next)) {
            throw new IllegalStateException("illegal phase transition from " + current + " to " + next);
        }
        current = next;
    }

    /**
     * Whether the agent's create was cut short (by a stop) before its checkout: it has left
     * {@code create} and may start over at {@code fetch}.
     */
    public synchronized boolean createCutShort() {
        return current != CREATE && LEGAL.get(current).contains(FETCH);
    }

    /** Whether the table allows {@code from → to}. */
    public static boolean allows(Phase from, Phase to) {
        return LEGAL.get(from).contains(to);
    }
}
