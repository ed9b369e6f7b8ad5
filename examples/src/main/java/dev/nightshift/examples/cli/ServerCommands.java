package dev.nightshift.examples.cli;

import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.core.Nightshift;
import dev.nightshift.server.ApiKeys;
import dev.nightshift.server.NightshiftServer;
import dev.nightshift.store.postgres.PostgresAgentStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift serve} (Cursor's Cloud Agents API over this state directory's engine) and
 * {@code nightshift keys} (its API keys).
 *
 * <p><b>Thread-safety:</b> commands of a program. <b>Lifecycle:</b> one per process.
 */
final class ServerCommands {
    private ServerCommands() {
    }

    static ApiKeys keys(NightshiftCli cli, Path file) {
        return file != null ? ApiKeys.openFile(file.toAbsolutePath(), java.time.Clock.systemUTC()) : ApiKeys.open(cli.home());
    }

    @Command(name = "serve", description = "Serve Cursor's Cloud Agents API (v0) over this state directory's engine"
            + " until interrupted (Ctrl-C stops accepting, lets requests finish, and lets go of the agents).")
    static final class Serve implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0 picks one).")
        int port;

        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--keys", paramLabel = "FILE", description = "API keys file (default: server/api-keys.json in the state directory).")
        Path keysFile;

        @Option(names = "--store", paramLabel = "URL", defaultValue = "${env:NIGHTSHIFT_STORE_URL}",
                description = "Keep agents in PostgreSQL, shared with every other 'nightshift serve' on it:"
                        + " postgresql://user[:password]@host[:port]/database (default: NIGHTSHIFT_STORE_URL, else files in"
                        + " the state directory). Without a password in the URL, NIGHTSHIFT_STORE_PASSWORD or PGPASSWORD.")
        String store;

        @Option(names = "--model", paramLabel = "NAME", description = "A model name clients may ask for (repeatable; 'shell' is always offered).")
        List<String> models = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            ApiKeys keys = keys(cli, keysFile);
            if (keys.list().isEmpty()) {
                cli.printer().line("warning: no API keys in " + keys.file() + " yet: make one with 'nightshift keys create NAME'");
            }
            List<String> offered = new java.util.ArrayList<>(List.of("shell"));
            models.stream().filter(m -> !offered.contains(m)).forEach(offered::add);
            CountDownLatch stopped = new CountDownLatch(1);
            AgentStore shared = null;
            if (store != null && !store.isBlank()) {
                try {
                    shared = PostgresAgentStore.fromUrl(store.strip(), System.getenv()).open();
                } catch (IllegalArgumentException e) {
                    throw new CliException.Usage("--store: " + e.getMessage()); // the message masks the password
                }
            }
            try (AgentStore closedLast = shared; Nightshift engine = cli.engine(true, shared);
                    NightshiftServer server = NightshiftServer.builder(engine, keys).bind(bind).port(port)
                            .models(offered).start()) {
                Thread hook = new Thread(() -> {
                    server.close();
                    stopped.countDown();
                }, "nightshift-serve-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("url", "http://" + bind + ":" + server.port());
                m.put("keys", keys.file().toString());
                m.put("store", shared == null ? cli.home().toString() : "postgresql");
                if (cli.printer().json()) {
                    cli.printer().object(m);
                } else {
                    cli.printer().line("serving http://" + bind + ":" + server.port() + "/v0 (keys: " + keys.file() + ")");
                }
                server.join();
            }
            return NightshiftCli.OK;
        }
    }

    @Command(name = "keys", description = "API keys of 'nightshift serve' (stored as digests; a key is shown once).",
            subcommands = {Create.class, ListKeys.class, Revoke.class})
    static final class Keys implements Callable<Integer> {
        @ParentCommand NightshiftCli cli;

        @Option(names = "--keys", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
                description = "API keys file (default: server/api-keys.json in the state directory).")
        Path keysFile;

        @Override
        public Integer call() {
            throw new CliException.Usage("name a subcommand: keys create | keys list | keys revoke");
        }

        ApiKeys open() {
            return keys(cli, keysFile);
        }
    }

    @Command(name = "create", description = "Make a key; it is printed once, on its own line.")
    static final class Create implements Callable<Integer> {
        @ParentCommand Keys keys;

        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--owner", description = "Who the key acts for (default: the key's name): agents belong to their key's owner.")
        String owner;

        @Override
        public Integer call() {
            String key = keys.open().create(name, owner == null ? name : owner);
            Printer p = keys.cli.printer();
            if (p.json()) {
                p.object(Map.of("name", name, "owner", owner == null ? name : owner, "key", key));
            } else {
                p.line(key);
            }
            return NightshiftCli.OK;
        }
    }

    @Command(name = "list", description = "List keys (names, owners and dates; never the keys).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand Keys keys;

        @Override
        public Integer call() {
            Printer p = keys.cli.printer();
            List<ApiKeys.ApiKey> all = keys.open().list();
            if (p.json()) {
                all.forEach(k -> p.object(Map.of("name", k.name(), "owner", k.owner(), "createdAt", k.createdAt().toString())));
            } else if (all.isEmpty()) {
                p.line("(no API keys)");
            } else {
                p.line(String.format("%-24s %-24s %s", "NAME", "OWNER", "CREATED"));
                all.forEach(k -> p.line(String.format("%-24s %-24s %s", k.name(), k.owner(), k.createdAt())));
            }
            return NightshiftCli.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke a key; a running server refuses it at once.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand Keys keys;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            keys.open().revoke(name);
            keys.cli.printer().line("revoked " + name);
            return NightshiftCli.OK;
        }
    }
}
