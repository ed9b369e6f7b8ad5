package dev.nightshift.examples.cli;

import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import dev.nightshift.secrets.SecretVersion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nightshift secrets}: the encrypted secret store in the state directory, shared with every
 * engine on it. Values are read from stdin, never from arguments (they would land in shell
 * history and process listings).
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
@Command(name = "secrets", description = "Secrets, encrypted at rest (values from stdin, never arguments).",
        subcommands = {SecretsCommands.Set.class, SecretsCommands.ListSecrets.class, SecretsCommands.Remove.class})
final class SecretsCommands implements Callable<Integer> {
    @ParentCommand NightshiftCli cli;

    @Override
    public Integer call() {
        throw new CliException.Usage("name a subcommand: secrets set | secrets list | secrets rm");
    }

    SecretStore open() {
        return SecretStore.open(cli.home(), LocalKms.openDefault(cli.home()));
    }

    /** Where a secret lives: a scope and its owner (default: the OS user). */
    static final class Where {
        @Option(names = "--scope", defaultValue = "user", description = "user, team or environment (default ${DEFAULT-VALUE}).")
        String scope;

        @Option(names = "--owner", description = "The user, team, or repository URL the secret belongs to (default: the OS user for user scope).")
        String owner;

        SecretScope scope() {
            try {
                SecretScope s = SecretScope.valueOf(scope.toUpperCase(Locale.ROOT));
                if (s == SecretScope.AGENT) {
                    throw new CliException.Usage("agent secrets are given at spawn and deleted with the agent");
                }
                return s;
            } catch (IllegalArgumentException e) {
                throw new CliException.Usage("unknown scope '" + scope + "': user, team or environment");
            }
        }

        String owner() {
            if (owner != null) {
                return scope() == SecretScope.ENVIRONMENT ? AgentCommands.repository(owner).replaceAll("//[^/@]*@", "//")
                        : owner;
            }
            if (scope() == SecretScope.USER) {
                return System.getProperty("user.name");
            }
            throw new CliException.Usage("--owner is required for scope " + scope);
        }
    }

    @Command(name = "set", description = "Set a secret; its value is read from stdin (one line, or all of it with --multiline).")
    static final class Set implements Callable<Integer> {
        @ParentCommand SecretsCommands secrets;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", hidden = true, arity = "0..*")
        List<String> extra;

        @Option(names = "--kind", defaultValue = "runtime", description = "env, runtime (redacted everywhere) or build (build only) (default ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--multiline", description = "Read all of stdin, not just the first line.")
        boolean multiline;

        @picocli.CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() throws Exception {
            if (extra != null && !extra.isEmpty()) {
                throw new CliException.Usage("secret values are read from stdin, never from arguments: "
                        + "printf '%s' \"$VALUE\" | nightshift secrets set " + name);
            }
            SecretKind k;
            try {
                k = SecretKind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CliException.Usage("unknown kind '" + kind + "': env, runtime or build");
            }
            String value;
            if (multiline) {
                value = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            } else {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                value = line == null ? "" : line;
            }
            if (value.isEmpty()) {
                throw new CliException.Invalid("no value on stdin for " + name);
            }
            try (SecretStore store = secrets.open()) {
                SecretVersion v = store.set(where.scope(), where.owner(), name, k, value);
                Printer p = secrets.cli.printer();
                if (p.json()) {
                    p.object(row(v));
                } else {
                    p.line("set " + name + " (" + k.name().toLowerCase(Locale.ROOT) + ", " + v.coordinates() + ")");
                }
                return NightshiftCli.OK;
            }
        }
    }

    @Command(name = "list", description = "List secrets by name (values are never shown).")
    static final class ListSecrets implements Callable<Integer> {
        @ParentCommand SecretsCommands secrets;

        @picocli.CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() {
            try (SecretStore store = secrets.open()) {
                List<SecretVersion> all = store.list(where.scope(), where.owner());
                secrets.cli.printer().entries(all, SecretsCommands::row, "(no secrets for "
                        + where.scope().name().toLowerCase(Locale.ROOT) + " " + where.owner() + ")", "%-32s %-8s %s",
                        v -> new Object[] {v.name(), v.kind().name().toLowerCase(Locale.ROOT), "v" + v.version()},
                        "NAME", "KIND", "VERSION");
                return NightshiftCli.OK;
            }
        }
    }

    @Command(name = "rm", description = "Delete a secret, every version of it.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand SecretsCommands secrets;

        @Parameters(paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() {
            try (SecretStore store = secrets.open()) {
                if (store.list(where.scope(), where.owner()).stream().noneMatch(v -> v.name().equals(name))) {
                    throw new dev.nightshift.api.NotFoundException("no secret " + name + " for "
                            + where.scope().name().toLowerCase(Locale.ROOT) + " " + where.owner());
                }
                store.delete(where.scope(), where.owner(), name);
                secrets.cli.printer().line("deleted " + name);
                return NightshiftCli.OK;
            }
        }
    }

    static Map<String, Object> row(SecretVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("kind", v.kind().name().toLowerCase(Locale.ROOT));
        m.put("scope", v.scope().name().toLowerCase(Locale.ROOT));
        m.put("owner", v.owner());
        m.put("version", v.version());
        return m;
    }
}
