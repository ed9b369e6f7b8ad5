package dev.nightshift.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;

/**
 * An SSH git server (Apache MINA SSHD with JGit's upload-pack and receive-pack, loopback only)
 * serving the bare repositories under a directory to user {@code git} holding one public key.
 */
public final class SshGitServer implements AutoCloseable {
    private static final Pattern COMMAND = Pattern.compile("^(git-upload-pack|git-receive-pack) '?/?([^']+?)'?$");

    private final SshServer server;
    private final KeyPair hostKey;
    /** Logins the server refused (a key it does not know). */
    public final AtomicInteger refusedLogins = new AtomicInteger();

    /** Serves {@code base} to user {@code git} with {@code authorized}, under a fresh EC host key. */
    public SshGitServer(Path base, PublicKey authorized) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        hostKey = g.generateKeyPair();
        Path root = base.toAbsolutePath().normalize();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> {
            boolean ok = "git".equals(user) && KeyUtils.compareKeys(key, authorized);
            if (!ok) {
                refusedLogins.incrementAndGet();
            }
            return ok;
        });
        server.setCommandFactory((channel, command) -> new GitCommand(root, command));
        server.start();
    }

    /** The {@code ssh://} URL of repository {@code name} (a directory under the base). */
    public String url(String name) {
        return "ssh://git@127.0.0.1:" + server.getPort() + "/" + name;
    }

    public int port() {
        return server.getPort();
    }

    /** The server's host key as a {@code known_hosts} line. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    /** The server's host key fingerprint ({@code SHA256:…}). */
    public String fingerprint() {
        return KeyUtils.getFingerPrint(hostKey.getPublic());
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    private static final class GitCommand implements Command, Runnable {
        private final Path root;
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        GitCommand(Path root, String command) {
            this.root = root;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(this, "ssh-git-server");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void run() {
            Matcher m = COMMAND.matcher(command.strip());
            int code = 0;
            try {
                if (!m.matches()) {
                    err.write(("unknown command: " + command + "\n").getBytes(StandardCharsets.UTF_8));
                    code = 127;
                } else {
                    Path dir = root.resolve(m.group(2)).normalize();
                    if (!dir.startsWith(root) || !Files.isRegularFile(dir.resolve("HEAD"))) {
                        err.write(("fatal: '" + m.group(2) + "' does not appear to be a git repository\n")
                                .getBytes(StandardCharsets.UTF_8));
                        code = 128;
                    } else {
                        try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build()) {
                            if (m.group(1).equals("git-upload-pack")) {
                                new UploadPack(repo).upload(in, out, err);
                            } else {
                                new ReceivePack(repo).receive(in, out, err);
                            }
                        }
                    }
                }
                out.flush();
                err.flush();
            } catch (IOException | RuntimeException e) {
                code = 1;
            }
            exit.onExit(code);
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
