package dev.nightshift.examples.cli;

/**
 * A command-line error with its exit code chosen by type.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> thrown once.
 */
class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }

    /** Bad usage: exit code 2. */
    static final class Usage extends CliException {
        Usage(String message) {
            super(message);
        }
    }

    /** Invalid input: exit code 5. */
    static final class Invalid extends CliException {
        Invalid(String message) {
            super(message);
        }
    }
}
