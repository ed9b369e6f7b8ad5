package dev.nightshift.git.internal;

import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.GitCredential;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSH sessions for git over JGit's Apache MINA SSHD transport, built from a {@link GitCredential}
 * in memory: the private key is parsed from the credential (never written to disk), only
 * public-key authentication is offered, no {@code ~/.ssh/config} and no {@code ~/.ssh/id_*} is
 * read, and the server's host key must match the credential's pinned host keys (or, when it pins
 * none, the user's {@code ~/.ssh/known_hosts}). An unknown host key is refused, and its
 * fingerprint kept so the error can name it ({@link #rejectedHostKey(String, int)}).
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per {@link Mirrors}; {@link #close()} closes the
 * session factories (their SSH clients).
 */
final class SshSessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshSessions.class);
    private static final int MAX_FACTORIES = 16;

    private final Path home;
    private final Path userKnownHosts;
    private final Map<GitCredential, SshdSessionFactory> factories = new ConcurrentHashMap<>();
    /** {@code host:port} → the fingerprint of the last host key refused there. */
    private final Map<String, String> rejected = new ConcurrentHashMap<>();

    /**
     * @param home an empty directory JGit may call home (nothing is read from it)
     * @param userKnownHosts the user's known_hosts, used when a credential pins no host key
     */
    SshSessions(Path home, Path userKnownHosts) {
        this.home = home;
        this.userKnownHosts = userKnownHosts;
    }

    /** The session factory for {@code credential} (empty: no key, so only the host key check and a refusal). */
    SshdSessionFactory factory(Optional<GitCredential> credential) {
        GitCredential key = credential.filter(c -> c.type() == GitCredential.Type.SSH_KEY)
                .orElse(GitCredential.sshKey("none", "", List.of()));
        SshdSessionFactory f = factories.get(key);
        if (f != null) {
            return f;
        }
        if (factories.size() >= MAX_FACTORIES) {
            // rotated keys pile up otherwise
            factories.values().forEach(SshdSessionFactory::close);
            factories.clear();
        }
        return factories.computeIfAbsent(key, this::build);
    }

    private SshdSessionFactory build(GitCredential credential) {
        List<KeyPair> keys = "none".equals(credential.secret()) ? List.of() : keyPairs(credential);
        List<String> pins = credential.hostKeys();
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        File dir = home.toFile();
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(dir)
                .setSshDirectory(dir)
                .setConfigStoreFactory((h, f, user) -> null)
                .setDefaultIdentities(d -> List.of())
                .setDefaultKeysProvider(d -> keys)
                .setPreferredAuthentications("publickey")
                .setServerKeyDatabase((h, s) -> new Pinned(pins))
                .build(null);
    }

    /** The fingerprint of the host key last refused at {@code host:port}, if one was. */
    Optional<String> rejectedHostKey(String host, int port) {
        return Optional.ofNullable(rejected.get(address(host, port)));
    }

    private static String address(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + (port < 0 ? 22 : port);
    }

    /** Parses the private key of {@code credential}; the message of a failure never holds the key. */
    static List<KeyPair> keyPairs(GitCredential credential) {
        try {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("git credential"),
                    new ByteArrayInputStream(credential.secret().getBytes(StandardCharsets.UTF_8)),
                    credential.passphrase().isEmpty() ? FilePasswordProvider.EMPTY
                            : FilePasswordProvider.of(credential.passphrase()));
            List<KeyPair> out = new ArrayList<>();
            if (pairs != null) {
                pairs.forEach(out::add);
            }
            if (out.isEmpty()) {
                throw new ValidationException("the SSH key of the git credential holds no private key"
                        + " (give the private key in OpenSSH or PEM form)");
            }
            return out;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof ValidationException v) {
                throw v;
            }
            String why = e.getClass().getSimpleName();
            String text = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (text.contains("password") || text.contains("passphrase") || text.contains("decrypt")) {
                why = credential.passphrase().isEmpty() ? "it is encrypted and no passphrase was given"
                        : "the passphrase does not open it";
            }
            throw new ValidationException("cannot read the SSH key of the git credential: " + why);
        }
    }

    /** Host keys from the pins, else from the user's known_hosts; anything else is refused and remembered. */
    private final class Pinned implements ServerKeyDatabase {
        private final List<String> pins;

        Pinned(List<String> pins) {
            this.pins = pins;
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return known(remoteAddress.getHostString(), remoteAddress.getPort());
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                Configuration config, CredentialsProvider provider) {
            String host = remoteAddress.getHostString();
            int port = remoteAddress.getPort();
            String fingerprint = KeyUtils.getFingerPrint(serverKey);
            boolean ok = pins.stream().anyMatch(p -> p.strip().equals(fingerprint))
                    || known(host, port).stream().anyMatch(k -> KeyUtils.compareKeys(k, serverKey));
            if (ok) {
                rejected.remove(address(host, port));
            } else {
                rejected.put(address(host, port), fingerprint + " (" + KeyUtils.getKeyType(serverKey) + ")");
                LOG.warn("refused the unknown SSH host key {} of {}:{}", fingerprint, host, port);
            }
            return ok;
        }

        private List<PublicKey> known(String host, int port) {
            List<PublicKey> out = new ArrayList<>();
            if (pins.isEmpty()) {
                if (Files.isRegularFile(userKnownHosts)) {
                    try {
                        for (KnownHostEntry e : KnownHostEntry.readKnownHostEntries(userKnownHosts)) {
                            addIfMatches(out, e, host, port);
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("cannot read {}: {}", userKnownHosts, e.toString());
                    }
                }
                return out;
            }
            for (String pin : pins) {
                String p = pin.strip();
                if (p.isEmpty() || p.startsWith("#") || p.startsWith("SHA256:") || p.startsWith("MD5:")) {
                    continue;
                }
                try {
                    String[] parts = p.split("\\s+");
                    if (parts.length >= 2 && KeyUtils.getPublicKeyEntryDecoder(parts[0]) != null) {
                        out.add(PublicKeyEntry.parsePublicKeyEntry(p)
                                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING));
                    } else {
                        addIfMatches(out, KnownHostEntry.parseKnownHostEntry(p), host, port);
                    }
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    LOG.warn("ignoring a pinned host key that is not a known_hosts line, public key or fingerprint");
                }
            }
            return out;
        }

        private void addIfMatches(List<PublicKey> out, KnownHostEntry e, String host, int port) {
            if (e == null || e.getMarker() != null || !e.isHostMatch(host, port)) {
                return;
            }
            try {
                out.add(e.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING));
            } catch (IOException | GeneralSecurityException | RuntimeException ex) {
                LOG.debug("skipping a known_hosts entry of an unsupported key type: {}", ex.toString());
            }
        }
    }

    @Override
    public void close() {
        factories.values().forEach(SshdSessionFactory::close);
        factories.clear();
    }
}
