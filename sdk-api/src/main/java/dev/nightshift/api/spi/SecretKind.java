package dev.nightshift.api.spi;

/**
 * What a secret is for, which decides where its value may go.
 *
 * <ul>
 *   <li>{@link #ENV}: a plain environment variable of install, start, terminals and the agent's
 *       commands; not redacted.
 *   <li>{@link #RUNTIME}: the same environment variables, but the value is replaced by
 *       {@code [REDACTED]} in everything Nightshift records, and a push whose diff holds it is
 *       refused.
 *   <li>{@link #BUILD}: reaches only the Dockerfile build and the build's {@code install}; never an
 *       agent's machine, never a snapshot. Redacted like a runtime secret.
 *   <li>{@link #GIT_CREDENTIAL}: a git credential (token, password or SSH key) the host uses to
 *       fetch and push; never an environment variable, never in any machine. Stored secrets of
 *       this kind are not handed out by a store's {@code secrets(context)}.
 * </ul>
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a constant.
 */
public enum SecretKind {
    ENV, RUNTIME, BUILD, GIT_CREDENTIAL;

    /** Whether the value is replaced by {@code [REDACTED]} in what Nightshift records. */
    public boolean redacted() {
        return this != ENV;
    }

    /** Whether the value may be in an agent's machine (install, start, terminals, commands). */
    public boolean reachesAgentMachine() {
        return this == ENV || this == RUNTIME;
    }
}
