package dev.nightshift.core.internal;

import dev.nightshift.api.AttachInfo;
import dev.nightshift.api.Session;
import dev.nightshift.api.TakeOver;
import dev.nightshift.api.runtime.Terminals;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a take-over lands: a window of the agent's tmux session named for the person, running a
 * login shell as the machine's user in the workspace (opened, or reused when the person takes
 * over again), selected by the attach command; the environment's terminals are the other windows.
 *
 * <p>Thread-safety: stateless. Lifecycle: static helpers.
 */
public final class TakeOverShell {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private TakeOverShell() {
    }

    /** The person running this process, as a window name ({@code human} when it has none usable). */
    public static String defaultPerson() {
        String raw = System.getProperty("user.name", "");
        String cleaned = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-").replaceAll("^[^a-z0-9]+", "");
        if (cleaned.length() > 64) {
            cleaned = cleaned.substring(0, 64);
        }
        return NAME.matcher(cleaned).matches() && !cleaned.equals(Terminals.SHELL_WINDOW) ? cleaned : "human";
    }

    /** {@code person} if it is a valid window name; an {@link IllegalArgumentException} otherwise. */
    public static String checkPerson(String person) {
        if (person == null || !NAME.matcher(person).matches()) {
            throw new IllegalArgumentException("a take-over's person names a tmux window: 1-64 of [A-Za-z0-9_.-],"
                    + " starting with a letter or digit, not '" + person + "'");
        }
        return person;
    }

    /** Opens (or reuses) the person's shell in {@code session} and returns the take-over that lands in it. */
    public static TakeOver open(Session session, String person) {
        Terminals t = session.machine().terminals();
        t.openShell(person, session.workspace());
        AttachInfo attach = new AttachInfo(t.attachCommand(person), session.machine().id(), session.user(),
                t.sessionName(), person);
        return new TakeOver(session, attach, t.list());
    }
}
