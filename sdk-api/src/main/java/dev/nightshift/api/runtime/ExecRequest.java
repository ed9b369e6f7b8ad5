package dev.nightshift.api.runtime;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run in a machine.
 *
 * <p>The command is an argv list (no shell unless you ask for one: {@code bash -lc ...}).
 * {@code stdin} bytes, when given, are delivered as a file and redirected, so the command
 * sees end-of-file. On {@code timeout} or {@link ExecHandle#cancel()} the whole process group
 * of the command is killed inside the machine. {@code tailBytes} bounds how much of each
 * stream the {@link ExecResult} keeps; everything else only passes through the listener.
 *
 * <p><b>Thread-safety:</b> immutable (the stdin array is copied). <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * ExecResult r = machine.exec(ExecRequest.builder("bash", "-lc", "npm test")
 *         .workdir("/workspace")
 *         .user("ubuntu")
 *         .env("CI", "true")
 *         .timeout(Duration.ofMinutes(10))
 *         .build()).await();
 * }</pre>
 *
 * @param command argv, at least one element
 * @param workdir working directory, or {@code null} for the machine's default
 * @param user user to run as, or {@code null} for the machine's default
 * @param env extra environment variables (values are never logged)
 * @param stdin bytes for standard input, or {@code null} for none (immediate end-of-file)
 * @param timeout how long the command may run, or {@code null} for no limit
 * @param listener receives output as it arrives
 * @param tailBytes bytes of each stream kept in the result (default 64 KiB)
 */
public record ExecRequest(List<String> command, String workdir, String user, Map<String, String> env,
        byte[] stdin, Duration timeout, ExecListener listener, int tailBytes) {

    public static final int DEFAULT_TAIL_BYTES = 64 * 1024;

    public ExecRequest {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        env = env == null ? Map.of() : Map.copyOf(env);
        stdin = stdin == null ? null : stdin.clone();
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        listener = listener == null ? ExecListener.NONE : listener;
        if (tailBytes < 0) {
            throw new IllegalArgumentException("tailBytes must be >= 0");
        }
    }

    public static Builder builder(String... command) {
        return new Builder(List.of(command));
    }

    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    /** A plain request for {@code command} with defaults. */
    public static ExecRequest of(String... command) {
        return builder(command).build();
    }

    /** A request that runs {@code script} with {@code bash -c}. */
    public static Builder bash(String script) {
        return new Builder(List.of("bash", "-c", script));
    }

    @Override
    public byte[] stdin() {
        return stdin == null ? null : stdin.clone();
    }

    public Builder toBuilder() {
        Builder b = new Builder(command).workdir(workdir).user(user).stdin(stdin).timeout(timeout)
                .listener(listener).tailBytes(tailBytes);
        b.env.putAll(env);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExecRequest r && command.equals(r.command) && Objects.equals(workdir, r.workdir)
                && Objects.equals(user, r.user) && env.equals(r.env) && Arrays.equals(stdin, r.stdin)
                && Objects.equals(timeout, r.timeout) && listener.equals(r.listener) && tailBytes == r.tailBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, workdir, user, env, Arrays.hashCode(stdin), timeout, listener, tailBytes);
    }

    @Override
    public String toString() {
        return "ExecRequest[command=" + command + ", workdir=" + workdir + ", user=" + user
                + ", env=" + env.keySet() + ", stdin=" + (stdin == null ? "none" : stdin.length + " bytes")
                + ", timeout=" + timeout + "]";
    }

    /**
     * Builds an {@link ExecRequest}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable.
     */
    public static final class Builder {
        private final List<String> command;
        private String workdir;
        private String user;
        private final Map<String, String> env = new LinkedHashMap<>();
        private byte[] stdin;
        private Duration timeout;
        private ExecListener listener = ExecListener.NONE;
        private int tailBytes = DEFAULT_TAIL_BYTES;

        private Builder(List<String> command) {
            this.command = List.copyOf(command);
        }

        public Builder workdir(String value) { workdir = value; return this; }
        public Builder user(String value) { user = value; return this; }
        public Builder env(String name, String value) { env.put(name, value); return this; }
        public Builder env(Map<String, String> values) { env.putAll(values); return this; }
        public Builder stdin(byte[] value) { stdin = value; return this; }
        public Builder stdin(String utf8) { stdin = utf8 == null ? null : utf8.getBytes(java.nio.charset.StandardCharsets.UTF_8); return this; }
        public Builder timeout(Duration value) { timeout = value; return this; }
        public Builder listener(ExecListener value) { listener = value; return this; }
        public Builder tailBytes(int value) { tailBytes = value; return this; }

        public ExecRequest build() {
            return new ExecRequest(command, workdir, user, env, stdin, timeout, listener, tailBytes);
        }
    }
}
