package dev.nightshift.store.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: Debian's {@code initdb} and {@code pg_ctl} make a
 * cluster in a temporary folder, listening on a free loopback port with password (SCRAM)
 * authentication; it is stopped and removed when the test JVM exits. PostgreSQL refuses to run
 * as root, so as root the server runs as {@code nobody}. Each {@link #newDatabase()} is a fresh,
 * empty database. With the binaries missing, tests skip, or fail when {@code CI=true}
 * ({@code scripts/test} installs Debian's {@code postgresql}).
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> one server per test JVM, started on first use.
 */
final class TestPostgres {
    static final String USER = "postgres";
    private static TestPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    final int port;
    final String password;
    private final Path dir;
    private final List<String> asUser;
    private final Path bin;

    private TestPostgres(Path bin, Path dir, List<String> asUser, int port, String password) {
        this.bin = bin;
        this.dir = dir;
        this.asUser = asUser;
        this.port = port;
        this.password = password;
    }

    /** The server of this JVM, started on first use. */
    static synchronized TestPostgres get() {
        if (server == null) {
            Optional<Path> bin = binaries();
            if (bin.isEmpty()) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException("CI=true and no PostgreSQL (initdb, pg_ctl) on PATH or in"
                            + " /usr/lib/postgresql/*/bin: install Debian's postgresql");
                }
                assumeTrue(false, "no PostgreSQL binaries (initdb, pg_ctl): install Debian's postgresql");
            }
            server = start(bin.get());
        }
        return server;
    }

    /** A fresh empty database; returns its JDBC URL. */
    String newDatabase() {
        String name = "t" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), credentials()); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password);
        return p;
    }

    PostgresAgentStore.Builder store(String jdbcUrl) {
        return PostgresAgentStore.builder(jdbcUrl).user(USER).password(password).maxPoolSize(4);
    }

    private static Optional<Path> binaries() {
        List<Path> candidates = new ArrayList<>();
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty()) {
                candidates.add(Path.of(p));
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(v -> v.resolve("bin")).sorted(Comparator.reverseOrder()).forEach(candidates::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return candidates.stream()
                .filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
                .findFirst()
                // PATH entries may be symbolic links into /usr/lib/postgresql/N/bin: use the real folder
                .map(d -> {
                    try {
                        return d.resolve("initdb").toRealPath().getParent();
                    } catch (IOException e) {
                        return d;
                    }
                });
    }

    private static TestPostgres start(Path bin) {
        try {
            boolean root = "root".equals(System.getProperty("user.name"));
            List<String> asUser = root ? List.of("runuser", "-u", "nobody", "--") : List.of();
            Path dir = Files.createTempDirectory("nightshift-pg-");
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            Path pwfile = dir.resolve("pw");
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            if (root) {
                run(List.of("chown", "-R", "nobody", dir.toString()), dir, List.of());
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--pwfile=" + pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync", "--locale=C"), dir, asUser);
            Files.delete(pwfile);
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                TestPostgres pg = new TestPostgres(bin, dir, asUser, port, password);
                try {
                    pg.startAgain();
                    Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "test-postgres-stop"));
                    return pg;
                } catch (IllegalStateException e) {
                    last = e; // most likely the port was taken meanwhile: try another
                }
            }
            throw last;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** An outage: stops the server (its clients are disconnected), keeping its data for {@link #startAgain()}. */
    void stopServer() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"),
                dir, asUser);
    }

    /** Ends an outage: starts the stopped server again on the same port. */
    void startAgain() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
                "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c full_page_writes=off -c max_connections=200", "start"), dir, asUser);
    }

    /** Stops the server (fast, it holds only test data) and removes its folder. */
    void stop() {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop"), dir, asUser);
        } catch (RuntimeException e) {
            System.err.println("test-postgres: " + e.getMessage());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("test-postgres: cannot remove " + dir + ": " + e.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> command, Path dir, List<String> asUser) {
        List<String> full = new ArrayList<>(asUser);
        full.addAll(command);
        try {
            Path out = Files.createTempFile("pg-cmd-", ".log");
            Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            String output = Files.readString(out);
            Files.delete(out);
            if (!done) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " did not finish in 120 s: " + output);
            }
            if (p.exitValue() != 0) {
                String log = "";
                Path serverLog = dir.resolve("server.log");
                if (Files.exists(serverLog)) {
                    log = "\nserver log:\n" + Files.readString(serverLog);
                }
                throw new IllegalStateException(String.join(" ", full) + " exited " + p.exitValue() + ": " + output + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + full + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + full, e);
        }
    }
}
