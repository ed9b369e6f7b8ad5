package dev.nightshift.secrets;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.WrappedKey;
import dev.nightshift.common.AesGcm;
import dev.nightshift.common.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.AEADBadTagException;

/**
 * The {@link Kms} that ships: AES-256-GCM key-encryption keys kept in a key file that only its
 * owner can read (created {@code 0600}; an existing file open to group or others is refused), or
 * given in the environment variable {@value #ENV_VAR}. Each key's id is derived from the key
 * ({@code local-} and 16 hex digits of a SHA-256), so a wrapped key says which key unwraps it.
 *
 * <p>Rotation without re-encrypting any value: {@link #rotate()} adds a new current key (older
 * keys keep unwrapping), {@code SecretStore.rewrap()} re-wraps every data key under it, then
 * {@link #retire(String)} drops the old key. With keys from the environment, put the new key first
 * in the variable ({@code new,old}), restart, re-wrap, then drop the old one.
 *
 * <p>Key file format, one key a line, the current key first ({@code #} lines are comments):
 * {@code <key id> <base64 of 32 bytes>}. Lose the file and every secret it protects is lost:
 * back it up apart from the secrets.
 *
 * <p><b>Thread-safety:</b> thread-safe; several processes may share the key file (an unknown key
 * id makes it re-read the file once). <b>Lifecycle:</b> {@link #open(Path)},
 * {@link #fromEnvironment(Map)} or {@link #openDefault(Path)}; holds the keys in memory while
 * reachable; nothing to close.
 *
 * <pre>{@code
 * LocalKms kms = LocalKms.openDefault(Path.of(System.getProperty("user.home"), ".nightshift"));
 * try (SecretStore store = SecretStore.open(root, kms)) { ... }
 * }</pre>
 */
public final class LocalKms implements Kms {
    /** Environment variable holding base64 keys, comma-separated, the current one first. */
    public static final String ENV_VAR = "NIGHTSHIFT_KMS_KEY";
    private static final int IV_BYTES = AesGcm.IV_BYTES;

    private final Path keyFile;
    /** Key id to key, the current key first; replaced as a whole. */
    private volatile Map<String, byte[]> ring;

    private LocalKms(Path keyFile, Map<String, byte[]> ring) {
        this.keyFile = keyFile;
        this.ring = ring;
    }

    /** Opens the key file, creating it (owner-only, with one new key) when it does not exist. */
    public static LocalKms open(Path keyFile) {
        Path file = keyFile.toAbsolutePath();
        try {
            if (!Files.exists(file)) {
                OwnerOnlyFiles.createDirectories(file.getParent());
                byte[] key = newKey();
                OwnerOnlyFiles.createNew(file, format(Map.of(idOf(key), key)));
            }
            return new LocalKms(file, read(file));
        } catch (IOException e) {
            throw new NightshiftException("cannot open the local KMS key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Keys from {@code env.get(ENV_VAR)}: base64 of 32 bytes, comma-separated, the current key
     * first; empty when the variable is not set.
     */
    public static Optional<LocalKms> fromEnvironment(Map<String, String> env) {
        String spec = env.get(ENV_VAR);
        if (spec == null || spec.isBlank()) {
            return Optional.empty();
        }
        Map<String, byte[]> ring = new LinkedHashMap<>();
        int i = 0;
        for (String part : spec.split(",")) {
            i++;
            byte[] key;
            try {
                key = Base64.getDecoder().decode(part.strip());
            } catch (IllegalArgumentException e) {
                throw new NightshiftException(ENV_VAR + ": key " + i + " is not base64");
            }
            if (key.length != 32) {
                throw new NightshiftException(ENV_VAR + ": key " + i + " is " + key.length
                        + " bytes; a key is 32 random bytes in base64 (e.g. `openssl rand -base64 32`)");
            }
            ring.put(idOf(key), key);
        }
        return Optional.of(new LocalKms(null, ring));
    }

    /**
     * The default: keys from {@value #ENV_VAR} when it is set, else the key file
     * {@code <root>/keys/local-kms.keys} (root being the directory of the agent and secret stores).
     */
    public static LocalKms openDefault(Path root) {
        return fromEnvironment(System.getenv()).orElseGet(() -> open(root.resolve("keys").resolve("local-kms.keys")));
    }

    /** A new random 32-byte key in base64, for {@value #ENV_VAR}. */
    public static String generateKey() {
        return Base64.getEncoder().encodeToString(newKey());
    }

    @Override
    public String keyId() {
        return ring.keySet().iterator().next();
    }

    /** Every key id this KMS can unwrap with, the current one first. */
    public List<String> keyIds() {
        return List.copyOf(ring.keySet());
    }

    /** The key file, or empty for keys from the environment. */
    public Optional<Path> keyFile() {
        return Optional.ofNullable(keyFile);
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        Map<String, byte[]> r = ring;
        String id = r.keySet().iterator().next();
        try {
            byte[] iv = AesGcm.newIv();
            byte[] ct = AesGcm.encrypt(r.get(id), iv, aad(id), dataKey);
            return new WrappedKey(id, ByteBuffer.allocate(IV_BYTES + ct.length).put(iv).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new NightshiftException("cannot wrap a data key with local key " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped) {
        String id = wrapped.keyId();
        byte[] kek = ring.get(id);
        if (kek == null && keyFile != null) {
            reload();
            kek = ring.get(id);
        }
        if (kek == null) {
            throw new NightshiftException("the data key was wrapped with key " + id + ", which this local KMS ("
                    + source() + ") does not hold (it holds " + ring.keySet() + "); was the key retired"
                    + " before re-wrapping, or is this the wrong key file?");
        }
        byte[] b = wrapped.bytes();
        if (b.length < IV_BYTES + 16) {
            throw new NightshiftException("cannot unwrap a data key with local key " + id + ": the wrapped key is truncated");
        }
        try {
            return AesGcm.decrypt(kek, Arrays.copyOf(b, IV_BYTES), aad(id), b, IV_BYTES, b.length - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new NightshiftException("cannot unwrap a data key with local key " + id
                    + ": the wrapped key was altered, or the key with this id is not the one that wrapped it");
        } catch (GeneralSecurityException e) {
            throw new NightshiftException("cannot unwrap a data key with local key " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds a new key and makes it current (file-backed only); older keys keep unwrapping. Returns
     * the new key id. Re-wrap every store afterwards, then {@link #retire} the old key.
     */
    public synchronized String rotate() {
        requireFile("rotate");
        reload();
        byte[] key = newKey();
        Map<String, byte[]> next = new LinkedHashMap<>();
        next.put(idOf(key), key);
        next.putAll(ring);
        save(next);
        return idOf(key);
    }

    /**
     * Removes an old key (file-backed only). Call it only after every store re-wrapped the data
     * keys it wrapped ({@code SecretStore.keyIdsInUse()} no longer lists it): what it wrapped can no
     * longer be decrypted.
     */
    public synchronized void retire(String keyId) {
        requireFile("retire a key");
        reload();
        if (keyId.equals(keyId())) {
            throw new IllegalStateException("key " + keyId + " is the current key; rotate first");
        }
        if (!ring.containsKey(keyId)) {
            throw new dev.nightshift.api.NotFoundException("local KMS " + keyFile + " holds no key " + keyId);
        }
        Map<String, byte[]> next = new LinkedHashMap<>(ring);
        next.remove(keyId);
        save(next);
    }

    private void requireFile(String what) {
        if (keyFile == null) {
            throw new IllegalStateException("cannot " + what + " with keys from " + ENV_VAR
                    + ": put the new key first in the variable (new,old), restart, re-wrap, then drop the old key");
        }
    }

    private String source() {
        return keyFile != null ? "key file " + keyFile : "environment variable " + ENV_VAR;
    }

    private synchronized void reload() {
        try {
            ring = read(keyFile);
        } catch (IOException e) {
            throw new NightshiftException("cannot read the local KMS key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private void save(Map<String, byte[]> next) {
        try {
            OwnerOnlyFiles.replace(keyFile, format(next));
            ring = next;
        } catch (IOException e) {
            throw new NightshiftException("cannot write the local KMS key file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, byte[]> read(Path file) throws IOException {
        Set<?> open = OwnerOnlyFiles.openToOthers(file);
        if (!open.isEmpty()) {
            throw new NightshiftException("the local KMS key file " + file + " can be read or written by others ("
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) + "); run `chmod 600 " + file + "`");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new NightshiftException("the local KMS key file " + file + " is gone; restore it from a backup", e);
        }
        Map<String, byte[]> ring = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+");
            byte[] key;
            try {
                key = parts.length == 2 ? Base64.getDecoder().decode(parts[1]) : null;
            } catch (IllegalArgumentException e) {
                key = null;
            }
            if (key == null || key.length != 32 || !idOf(key).equals(parts[0])) {
                throw new NightshiftException(file + ":" + n + ": not a key line ('<key id> <base64 of 32 bytes>'"
                        + " whose id matches the key)");
            }
            ring.put(parts[0], key);
        }
        if (ring.isEmpty()) {
            throw new NightshiftException("the local KMS key file " + file + " holds no key");
        }
        return ring;
    }

    private static byte[] format(Map<String, byte[]> ring) {
        StringBuilder b = new StringBuilder()
                .append("# Nightshift local KMS keys. Owner-only; back it up apart from the secrets:\n")
                .append("# without it no secret it protects can be decrypted. The first key is current.\n");
        ring.forEach((id, key) -> b.append(id).append(' ').append(Base64.getEncoder().encodeToString(key)).append('\n'));
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] newKey() {
        return AesGcm.newKey();
    }

    static String idOf(byte[] key) {
        MessageDigest sha = Hashing.sha256();
        sha.update("nightshift-local-kms-key-id".getBytes(StandardCharsets.US_ASCII));
        return "local-" + HexFormat.of().formatHex(sha.digest(key), 0, 8);
    }

    private static byte[] aad(String keyId) {
        return ("nightshift-local-kms/v1 " + keyId).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "LocalKms[" + source() + ", current key " + keyId() + ", " + ring.size() + " keys]";
    }
}
