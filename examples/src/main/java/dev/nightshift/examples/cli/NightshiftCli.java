package dev.nightshift.examples.cli;

import dev.nightshift.api.AuthenticationException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Nightshift;
import dev.nightshift.model.ModelDriver;
import dev.nightshift.model.Models;
import dev.nightshift.docker.DockerRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code nightshift} command line: spawn agents, watch them, follow up, take over, and manage
 * environments and secrets, on the state directory any other program using the SDK shares.
 *
 * <p>Exit codes: {@value #OK} success; {@value #AGENT_FAILED} the agent ended in {@code ERROR} or
 * {@code CANCELLED}; {@value #USAGE} bad usage; {@value #NOT_FOUND} unknown agent or repository;
 * {@value #CONFLICT} another process drives the agent, or an id is taken; {@value #INVALID} invalid
 * input (environment.json, secret names or values); {@value #NO_ENGINE} no Docker engine;
 * {@value #TIMEOUT} a wait timed out; {@value #FAILURE} anything else.
 *
 * <p><b>Thread-safety:</b> a program. <b>Lifecycle:</b> one command per process.
 */
@Command(name = "nightshift", mixinStandardHelpOptions = true, version = "nightshift 0.1.0-SNAPSHOT",
        description = "Background coding agents on your own machines.",
        subcommands = {AgentCommands.Spawn.class, AgentCommands.ListAgents.class, AgentCommands.Status.class,
                AgentCommands.Logs.class, AgentCommands.FollowUp.class, ControlCommands.TakeOverCmd.class,
                ControlCommands.HandBack.class, ControlCommands.Stop.class, ControlCommands.EgressCmd.class,
                ControlCommands.Delete.class, EnvCommands.class, SecretsCommands.class, GitCredentialsCommands.class,
                ControlCommands.Gc.class, Detached.Hold.class,
                ServerCommands.Serve.class, ServerCommands.Keys.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the agent ended in ERROR or CANCELLED", "2:bad usage",
                "3:unknown agent or repository", "4:another process drives the agent, or the id is taken",
                "5:invalid input (environment.json, secrets)", "6:no Docker engine", "7:timed out",
                "10:other failure"})
public final class NightshiftCli implements Callable<Integer> {
    public static final int OK = 0;
    public static final int AGENT_FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int CONFLICT = 4;
    public static final int INVALID = 5;
    public static final int NO_ENGINE = 6;
    public static final int TIMEOUT = 7;
    public static final int FAILURE = 10;

    @Option(names = "--home", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "State directory (default: $NIGHTSHIFT_HOME, else ~/.nightshift).")
    Path home;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Machine-readable output.")
    boolean json;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces.")
    boolean debug;

    @Option(names = "--docker-in-docker", scope = ScopeType.INHERIT,
            description = "Let machines run their own Docker engine (start: sudo service docker start): they get"
                    + " SYS_ADMIN and NET_ADMIN with seccomp unconfined, so only for repositories you trust"
                    + " (default: $NIGHTSHIFT_DOCKER_IN_DOCKER).")
    boolean dockerInDocker;

    @Option(names = "--max-running-machines", scope = ScopeType.INHERIT, paramLabel = "N",
            defaultValue = "${env:NIGHTSHIFT_MAX_RUNNING_MACHINES:-8}",
            description = "Machines running at once for this state directory, across every process using it"
                    + " (default: $NIGHTSHIFT_MAX_RUNNING_MACHINES, else 8).")
    int maxRunningMachines;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Send status, followup, stop and delete to a running 'nightshift serve' at URL (its v0 API;"
                    + " the key from $" + ServerClient.KEY_VARIABLE + ") instead of opening the state directory.")
    String server;

    /** The running server the agent commands go to ({@code --server}), or null: the state directory. */
    ServerClient serverClient() {
        return server == null ? null : new ServerClient(server, System.getenv(ServerClient.KEY_VARIABLE));
    }

    /** Refuses {@code --server} for a command that only works on the state directory. */
    void localOnly(String command) {
        if (server != null) {
            throw new CliException.Usage(command + " is not sent to a server (--server covers status, followup, stop"
                    + " and delete); run it on the server's state directory (--home DIR) instead");
        }
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return USAGE;
    }

    /** The state directory in force. */
    Path home() {
        if (home != null) {
            return home.toAbsolutePath();
        }
        String env = System.getenv("NIGHTSHIFT_HOME");
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".nightshift");
    }

    /**
     * An engine on the state directory; the runtime is found on the classpath (sdk-docker), or is
     * a Docker runtime that lets machines run their own engine with {@code --docker-in-docker}. It
     * knows the shell driver and the model driver (models from the environment, prices from
     * {@value ModelPrices#VARIABLE}). When the command ends, the machines of the agents it drove are
     * hibernated (a taken-over one stays with its human): no machine outlives the process that drove
     * it, and a follow-up restores it. Opening the state directory also adopts the machines of
     * agents whose process died ({@code kill -9}), so they are hibernated by the next command.
     */
    Nightshift engine() {
        return engine(false, null);
    }

    /**
     * {@link #engine()}; {@code perOwner} (for {@code nightshift serve}) gives each agent the git
     * credentials of its API key's owner ({@link GitCredentialsCommands#perOwner}); the engine runs
     * on {@code store} (the caller closes it after the engine), or on the state directory when null.
     */
    Nightshift engine(boolean perOwner, dev.nightshift.api.spi.AgentStore store) {
        if (maxRunningMachines < 1) {
            throw new CliException.Usage("--max-running-machines must be at least 1, not " + maxRunningMachines);
        }
        java.util.List<String> warnings = new java.util.ArrayList<>();
        var credentials = GitCredentialsCommands.sources(home(), GitCredentialsCommands.owner(System.getenv()),
                System.getenv(), warnings);
        var agentCredentials = perOwner ? GitCredentialsCommands.perOwner(home(), System.getenv(), warnings)
                : dev.nightshift.api.spi.AgentGitCredentials.always(credentials);
        warnings.stream().distinct().forEach(w -> System.err.println("nightshift: warning: " + w));
        Nightshift.Builder b = Nightshift.builder().stateDirectory(home()).gitCredentials(credentials)
                .agentGitCredentials(agentCredentials)
                .driver(modelDriver(System.getenv())).hibernateOnClose(true)
                .limits(Limits.DEFAULT.withMaxRunningMachines(maxRunningMachines));
        if (dockerInDocker) {
            b.runtime(DockerRuntime.builder().dockerInDocker(true).build());
        }
        if (store != null) {
            b.store(store);
        }
        return b.build();
    }

    static ModelDriver modelDriver(java.util.Map<String, String> environment) {
        ModelDriver.Builder b = ModelDriver.builder().models(Models.builder().environment(environment).build());
        ModelPrices.parse(environment.get(ModelPrices.VARIABLE)).forEach(b::price);
        return b.build();
    }

    Printer printer() {
        return new Printer(System.out, json);
    }

    /** Runs the command line and returns the exit code (for tests and {@link #main}). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        NightshiftCli root = new NightshiftCli();
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            int code = exitCode(e);
            err.println("nightshift: " + oneLine(e));
            String hint = hint(e);
            if (hint != null) {
                err.println("hint: " + hint);
            }
            if (root.debug) {
                e.printStackTrace(err);
            } else if (code == FAILURE) {
                err.println("(run with --debug for the stack trace)");
            }
            err.flush();
            return code;
        });
        return cmd.execute(args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    static int exitCode(Throwable e) {
        if (e instanceof NotFoundException) {
            return NOT_FOUND;
        } else if (e instanceof ConflictException) {
            return CONFLICT;
        } else if (e instanceof ValidationException || e instanceof CliException.Invalid) {
            return INVALID;
        } else if (e instanceof EnvironmentUnavailableException) {
            return NO_ENGINE;
        } else if (e instanceof NightshiftTimeoutException) {
            return TIMEOUT;
        } else if (e instanceof CommandLine.ParameterException || e instanceof CliException.Usage) {
            return USAGE;
        }
        return FAILURE;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ValidationException) {
            return m; // one line per problem: FILE:LINE:COL: error: /pointer: message
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl) + " (…)";
    }

    private static String hint(Throwable e) {
        if (e instanceof EnvironmentUnavailableException) {
            return "start one with scripts/docker-up (as root it installs Debian's docker.io and starts dockerd)";
        } else if (e instanceof ConflictException) {
            return "the agent's state does not allow it now: nightshift status AGENT_ID shows what it is doing";
        } else if (e instanceof NotFoundException) {
            return "nightshift list shows the agents on this state directory (--home)";
        } else if (e instanceof AuthenticationException) {
            return "nightshift git-credentials set HOST (token from stdin), NIGHTSHIFT_GIT_TOKEN_<HOST>, or"
                    + " NIGHTSHIFT_GIT_CREDENTIAL_HELPER=true; see README, 'Git credentials'";
        } else if (e instanceof ValidationException && e.getMessage() != null && e.getMessage().contains("model")) {
            return "model names: openai:MODEL, anthropic:MODEL, openai-compatible:MODEL@http://HOST:PORT/v1;"
                    + " keys: OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENAI_COMPATIBLE_API_KEY";
        } else if (e instanceof ValidationException) {
            return "nightshift env validate FILE explains every problem";
        }
        return null;
    }
}
