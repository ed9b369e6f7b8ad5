package dev.nightshift.examples.cli;

import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.GitCredential;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.core.GitCredentialSources;
import dev.nightshift.secrets.GitCredentialStore;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * {@code nightshift git-credentials}: the git credentials the CLI's agents fetch and push with,
 * encrypted in the state directory's secret store, per host or {@code host/org} prefix. Secrets
 * (tokens, passwords, SSH private keys) are read from stdin, never from arguments.
 *
 * <p>Where the CLI's engine finds a credential for a remote, first match wins:
 * {@code NIGHTSHIFT_GIT_TOKEN_<HOST>} environment variables, then the stored credentials of the
 * OS user (and of team {@code $NIGHTSHIFT_TEAM}, which overrides the user's for one prefix), then,
 * only with {@code NIGHTSHIFT_GIT_CREDENTIAL_HELPER=true}, the user's own
 * {@code git credential fill}.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
@Command(name = "git-credentials",
        description = "Git credentials for fetch and push (tokens, passwords, SSH keys from stdin, never arguments).",
        subcommands = {GitCredentialsCommands.Set.class, GitCredentialsCommands.ListCredentials.class,
                GitCredentialsCommands.Remove.class})
final class GitCredentialsCommands implements Callable<Integer> {
    /** Opt-in to the user's own git credential helper. */
    static final String HELPER_VARIABLE = "NIGHTSHIFT_GIT_CREDENTIAL_HELPER";
    /** The team whose stored credentials the CLI's agents also use. */
    static final String TEAM_VARIABLE = "NIGHTSHIFT_TEAM";

    @ParentCommand NightshiftCli cli;

    @Override
    public Integer call() {
        throw new CliException.Usage("name a subcommand: git-credentials set | git-credentials list | git-credentials rm");
    }

    /**
     * The credentials of the CLI's engine on {@code home} for {@code owner} (the CLI passes the
     * OS user; a service would pass the owner of the API key that spawned the agent): the
     * environment's per-host tokens, then the owner's stored credentials, then, when {@code env}
     * opts in, the user's git credential helper. Warnings about variables that are not read go to
     * {@code warnings}.
     */
    static GitCredentials sources(Path home, SecretContext owner, Map<String, String> env, List<String> warnings) {
        warnings.addAll(GitCredentialSources.ignoredVariables(env));
        List<GitCredentials> chain = new ArrayList<>();
        chain.add(GitCredentialSources.environment(env));
        GitCredentialStore stored = new GitCredentialStore(SecretStore.open(home, LocalKms.openDefault(home)));
        chain.add(stored.credentials(owner));
        if ("true".equalsIgnoreCase(env.getOrDefault(HELPER_VARIABLE, "")) || "1".equals(env.get(HELPER_VARIABLE))) {
            chain.add(GitCredentialSources.gitCredentialHelper(Duration.ofSeconds(30)));
        }
        return GitCredentials.firstOf(chain);
    }

    /**
     * The credentials of {@code nightshift serve}'s agents, per API key owner: the owner's stored
     * credentials (user scope, the key's owner) first, then the environment's per-host tokens,
     * then, when {@code env} opts in, the credential helper of the user running the server. The
     * last two are the operator's, process-wide: every owner's agents may use them (a warning in
     * {@code warnings} says so when any is set). An agent with no owner (the CLI's own, in the
     * same state directory) gets {@link #sources} for the OS user.
     */
    static AgentGitCredentials perOwner(Path home, Map<String, String> env, List<String> warnings) {
        GitCredentials unowned = sources(home, owner(env), env, warnings);
        GitCredentials environment = GitCredentialSources.environment(env);
        boolean helper = "true".equalsIgnoreCase(env.getOrDefault(HELPER_VARIABLE, "")) || "1".equals(env.get(HELPER_VARIABLE));
        GitCredentials operator = helper ? GitCredentials.firstOf(List.of(environment,
                GitCredentialSources.gitCredentialHelper(Duration.ofSeconds(30)))) : environment;
        List<String> shared = new ArrayList<>(env.keySet().stream()
                .filter(k -> k.startsWith(GitCredentialSources.TOKEN_VARIABLE + "_")).sorted().toList());
        if (helper) {
            shared.add(HELPER_VARIABLE);
        }
        if (!shared.isEmpty()) {
            warnings.add(String.join(", ", shared) + " apply to the agents of every API key owner (after the owner's"
                    + " stored credentials): set only what every owner may use, store the rest per owner");
        }
        GitCredentialStore stored = new GitCredentialStore(SecretStore.open(home, LocalKms.openDefault(home)));
        return dev.nightshift.server.NightshiftServer.gitCredentialsPerOwner(
                owner -> GitCredentials.firstOf(List.of(stored.credentials(SecretContext.of(owner)), operator)), unowned);
    }

    /** The owner the CLI resolves stored credentials for: the OS user, and {@code $NIGHTSHIFT_TEAM} if set. */
    static SecretContext owner(Map<String, String> env) {
        SecretContext c = SecretContext.of(System.getProperty("user.name"));
        String team = env.get(TEAM_VARIABLE);
        return team == null || team.isBlank() ? c : c.withTeam(team);
    }

    GitCredentialStore open() {
        return new GitCredentialStore(SecretStore.open(cli.home(), LocalKms.openDefault(cli.home())));
    }

    /** Whose credential: a scope (user or team) and its owner (default: the OS user). */
    static final class Where {
        @Option(names = "--scope", defaultValue = "user", description = "user or team (default ${DEFAULT-VALUE}).")
        String scope;

        @Option(names = "--owner", description = "The user or team the credential belongs to (default: the OS user for user scope).")
        String owner;

        SecretScope scope() {
            return switch (scope.toLowerCase(Locale.ROOT)) {
                case "user" -> SecretScope.USER;
                case "team" -> SecretScope.TEAM;
                default -> throw new CliException.Usage("unknown scope '" + scope + "': user or team");
            };
        }

        String owner() {
            if (owner != null && !owner.isBlank()) {
                return owner;
            }
            if (scope() == SecretScope.USER) {
                return System.getProperty("user.name");
            }
            throw new CliException.Usage("--owner is required for scope team");
        }
    }

    static GitCredential.Type type(String kind) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "token", "password" -> GitCredential.Type.PASSWORD;
            case "ssh-key" -> GitCredential.Type.SSH_KEY;
            default -> throw new CliException.Usage("unknown kind '" + kind + "': token, password or ssh-key");
        };
    }

    @Command(name = "set", description = {
            "Store the credential for HOST (github.com, git.example.com:8443) or a HOST/ORG prefix.",
            "token/password: the first line of stdin. ssh-key: the private key (all of stdin), host keys pinned"
                    + " with --host-key or --known-hosts (else ~/.ssh/known_hosts is used)."})
    static final class Set implements Callable<Integer> {
        @ParentCommand GitCredentialsCommands parent;

        @Parameters(index = "0", paramLabel = "HOST[/PREFIX]")
        String prefix;

        @Parameters(index = "1..*", hidden = true, arity = "0..*")
        List<String> extra;

        @Option(names = "--kind", defaultValue = "token", description = "token, password or ssh-key (default ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--username", description = "The user name (default: the host's token convention for a token,"
                + " e.g. x-access-token for GitHub, oauth2 for GitLab, x-token-auth for Bitbucket; git for an SSH key).")
        String username;

        @Option(names = "--host-key", paramLabel = "KEY", description = "An SSH host key to trust: SHA256:… fingerprint,"
                + " a public key line, or a known_hosts line (repeatable).")
        List<String> hostKeys = new ArrayList<>();

        @Option(names = "--known-hosts", paramLabel = "FILE", description = "Trust the host keys in this known_hosts file.")
        Path knownHosts;

        @Option(names = "--passphrase-stdin", description = "For an encrypted SSH key: the first line of stdin is"
                + " the passphrase, the rest the key.")
        boolean passphraseOnStdin;

        @picocli.CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() throws IOException {
            if (extra != null && !extra.isEmpty()) {
                throw new CliException.Usage("git credentials are read from stdin, never from arguments: "
                        + "printf '%s' \"$TOKEN\" | nightshift git-credentials set " + prefix);
            }
            GitCredential.Type type = type(kind);
            String host = GitCredentialStore.prefix(prefix).replaceFirst("[:/].*", "");
            GitCredential credential;
            if (type == GitCredential.Type.PASSWORD) {
                if (!hostKeys.isEmpty() || knownHosts != null || passphraseOnStdin) {
                    throw new CliException.Usage("--host-key, --known-hosts and --passphrase-stdin are for --kind ssh-key");
                }
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                String secret = line == null ? "" : line.strip();
                if (secret.isEmpty()) {
                    throw new CliException.Invalid("no " + kind.toLowerCase(Locale.ROOT) + " on stdin for " + prefix);
                }
                if ("password".equalsIgnoreCase(kind) && (username == null || username.isBlank())) {
                    throw new CliException.Usage("--username is required with --kind password");
                }
                credential = username == null || username.isBlank() ? GitCredential.token(host, secret)
                        : GitCredential.basic(username, secret);
            } else {
                String all = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                String passphrase = "";
                if (passphraseOnStdin) {
                    int nl = all.indexOf('\n');
                    passphrase = nl < 0 ? all : all.substring(0, nl);
                    all = nl < 0 ? "" : all.substring(nl + 1);
                }
                if (all.isBlank()) {
                    throw new CliException.Invalid("no SSH private key on stdin for " + prefix
                            + " (nightshift git-credentials set " + prefix + " --kind ssh-key < ~/.ssh/id_ed25519)");
                }
                if (!all.contains("PRIVATE KEY")) {
                    throw new CliException.Invalid("stdin does not hold an SSH private key for " + prefix
                            + " (expected a -----BEGIN ... PRIVATE KEY----- block)");
                }
                List<String> pins = new ArrayList<>(hostKeys);
                if (knownHosts != null) {
                    if (!Files.isRegularFile(knownHosts)) {
                        throw new CliException.Invalid("--known-hosts " + knownHosts + ": no such file");
                    }
                    Files.readAllLines(knownHosts, StandardCharsets.UTF_8).stream().map(String::strip)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(pins::add);
                }
                credential = GitCredential.sshKey(all, passphrase, pins);
                if (username != null && !username.isBlank()) {
                    credential = credential.withUsername(username);
                }
            }
            GitCredentialStore.Entry e = parent.open().set(where.scope(), where.owner(), prefix, credential);
            Printer p = parent.cli.printer();
            if (p.json()) {
                p.object(row(e));
            } else {
                p.line("set " + e.prefix() + " (" + label(e.type()) + ", user " + e.username()
                        + (e.type() == GitCredential.Type.SSH_KEY ? ", " + (e.hostKeys() == 0
                                ? "host keys from ~/.ssh/known_hosts" : e.hostKeys() + " pinned host key(s)") : "")
                        + ", " + e.scope().name().toLowerCase(Locale.ROOT) + " " + e.owner() + ", v" + e.version() + ")");
            }
            return NightshiftCli.OK;
        }
    }

    @Command(name = "list", description = "List stored git credentials (hosts and kinds, never values).")
    static final class ListCredentials implements Callable<Integer> {
        @ParentCommand GitCredentialsCommands parent;

        @picocli.CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() {
            List<GitCredentialStore.Entry> all = parent.open().list(where.scope(), where.owner());
            parent.cli.printer().entries(all, GitCredentialsCommands::row, "(no git credentials for "
                    + where.scope().name().toLowerCase(Locale.ROOT) + " " + where.owner() + ")", "%-40s %-8s %-16s %s",
                    e -> new Object[] {e.prefix(), label(e.type()), e.username(), "v" + e.version()},
                    "HOST/PREFIX", "KIND", "USERNAME", "VERSION");
            return NightshiftCli.OK;
        }
    }

    @Command(name = "rm", description = "Delete the stored credential(s) for HOST[/PREFIX].")
    static final class Remove implements Callable<Integer> {
        @ParentCommand GitCredentialsCommands parent;

        @Parameters(paramLabel = "HOST[/PREFIX]")
        String prefix;

        @Option(names = "--kind", description = "Only this kind: token (also password) or ssh-key (default: both).")
        String kind;

        @picocli.CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() {
            int n = parent.open().remove(where.scope(), where.owner(), prefix, kind == null ? null : type(kind));
            parent.cli.printer().line("deleted " + n + " git credential(s) for " + GitCredentialStore.prefix(prefix));
            return NightshiftCli.OK;
        }
    }

    private static String label(GitCredential.Type type) {
        return type == GitCredential.Type.SSH_KEY ? "ssh-key" : "token";
    }

    static Map<String, Object> row(GitCredentialStore.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prefix", e.prefix());
        m.put("kind", label(e.type()));
        m.put("username", e.username());
        m.put("hostKeys", e.hostKeys());
        m.put("scope", e.scope().name().toLowerCase(Locale.ROOT));
        m.put("owner", e.owner());
        m.put("version", e.version());
        return m;
    }
}
