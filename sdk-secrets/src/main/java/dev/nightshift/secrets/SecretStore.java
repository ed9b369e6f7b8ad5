package dev.nightshift.secrets;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.common.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Secrets encrypted at rest with envelope encryption: each value is encrypted with its own random
 * AES-256-GCM data key, and the data key is wrapped by a {@link Kms}. The ciphertext is bound
 * (GCM associated data) to the secret's scope, owner, name, version and kind, so a record that was
 * edited, or copied over another secret's record, fails to decrypt with an error naming the
 * record, never the value.
 *
 * <p>Versioned: {@link #set} writes the next version (numbers are never reused for a name, even
 * after {@link #delete}); old versions stay until {@link #purge}d. Rotation:
 * {@link #rewrap()} re-wraps every data key not wrapped by the KMS's current key, leaving every
 * ciphertext as it is.
 *
 * <p>Storage: {@code <root>/secrets/<scope>/<owner>/<NAME>/<version>.json}, beside the agent
 * store's {@code <root>/agents}; directories {@code 0700}, files {@code 0600}, written whole or
 * not at all. A file holds the wrapped data key, the IV and the ciphertext, base64-encoded, and the
 * secret's coordinates; never the plaintext.
 *
 * <p>It is also a {@link SecretProvider}: {@link #secrets(SecretContext)} decrypts the current
 * version of every secret the context sees.
 *
 * <p><b>Thread-safety:</b> thread-safe; several processes may share the directory (a version is
 * created exclusively). <b>Lifecycle:</b> {@link #open(Path, Kms)}; {@link #close()} releases
 * nothing (the KMS stays the caller's).
 *
 * <pre>{@code
 * SecretStore store = SecretStore.open(root, LocalKms.openDefault(root));
 * store.set(SecretScope.TEAM, "payments", "NPM_TOKEN", SecretKind.BUILD, token);
 * List<Secret> visible = store.secrets(SecretContext.of("alice").withTeam("payments"));
 * }</pre>
 */
public final class SecretStore implements SecretProvider, AutoCloseable {
    private final Path dir;
    private final Kms kms;
    private final Clock clock;
    private final SecretLayout layout;
    private final SecretRecords records;

    private SecretStore(Path dir, Kms kms, Clock clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.kms = kms;
        this.clock = clock;
        this.layout = new SecretLayout(this.dir);
        this.records = new SecretRecords(kms);
        try {
            OwnerOnlyFiles.createDirectories(this.dir);
        } catch (IOException e) {
            throw new NightshiftException("cannot create the secret store at " + this.dir + ": " + e.getMessage(), e);
        }
    }

    /** Opens (creating if needed) the store in {@code <root>/secrets}, {@code root} being the agent store's root. */
    public static SecretStore open(Path root, Kms kms) {
        return new SecretStore(root.resolve("secrets"), kms, Clock.systemUTC());
    }

    /** Opens the store with a clock (tests). */
    static SecretStore open(Path root, Kms kms, Clock clock) {
        return new SecretStore(root.resolve("secrets"), kms, clock);
    }

    /**
     * Checks a secret from any {@link SecretProvider} against the rules {@link #set} enforces: a
     * POSIX variable name outside the reserved ones, a value of at most 32 KiB of UTF-8 without
     * NUL, and at least 8 characters for a redacted (runtime or build) secret.
     *
     * @throws dev.nightshift.api.ValidationException naming the secret and the problem, never the value
     */
    public static void check(Secret secret) {
        SecretRules.check(secret.name(), secret.kind(), secret.value());
    }

    /** The directory the records live in. */
    public Path directory() {
        return dir;
    }

    /** Stores {@code value} as the next version of {@code name}; returns that version (without the value). */
    public SecretVersion set(SecretScope scope, String owner, String name, SecretKind kind, String value) {
        SecretRules.check(name, kind, value);
        Path nameDir = layout.nameDir(scope, owner, name);
        try {
            OwnerOnlyFiles.createDirectories(nameDir);
            while (true) {
                int version = SecretLayout.nextVersion(nameDir);
                SecretVersion meta = new SecretVersion(scope, owner, name, kind, version, clock.instant(), kms.keyId());
                byte[] record = records.encrypt(meta, value);
                if (OwnerOnlyFiles.createNew(nameDir.resolve(version + ".json"), record)) {
                    OwnerOnlyFiles.replace(nameDir.resolve(SecretLayout.COUNTER),
                            Integer.toString(version).getBytes(StandardCharsets.US_ASCII));
                    return meta;
                }
                // another writer took this version: try the next
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot store secret " + scope + "/" + owner + "/" + name + ": " + e.getMessage(), e);
        }
    }

    /** The current (latest) version of a secret, decrypted. */
    public Optional<Secret> get(SecretScope scope, String owner, String name) {
        SecretRules.checkName(name);
        List<Integer> versions = SecretLayout.versionNumbers(layout.nameDir(scope, owner, name));
        return versions.isEmpty() ? Optional.empty()
                : Optional.of(read(scope, owner, name, versions.get(versions.size() - 1)));
    }

    /** One version of a secret, decrypted. */
    public Secret get(SecretScope scope, String owner, String name, int version) {
        SecretRules.checkName(name);
        return read(scope, owner, name, version);
    }

    /** Every stored version of a secret, oldest first, without values. */
    public List<SecretVersion> versions(SecretScope scope, String owner, String name) {
        SecretRules.checkName(name);
        List<SecretVersion> out = new ArrayList<>();
        for (int v : SecretLayout.versionNumbers(layout.nameDir(scope, owner, name))) {
            out.add(meta(scope, owner, name, v));
        }
        return out;
    }

    /** The current version of each secret of an owner, by name, without values. */
    public List<SecretVersion> list(SecretScope scope, String owner) {
        List<SecretVersion> out = new ArrayList<>();
        for (String name : layout.names(scope, owner)) {
            List<Integer> vs = SecretLayout.versionNumbers(layout.nameDir(scope, owner, name));
            if (!vs.isEmpty()) {
                out.add(meta(scope, owner, name, vs.get(vs.size() - 1)));
            }
        }
        return out;
    }

    /** Deletes all but the {@code keepLatest} newest versions of a secret; returns how many were deleted. */
    public int purge(SecretScope scope, String owner, String name, int keepLatest) {
        if (keepLatest < 0) {
            throw new IllegalArgumentException("keepLatest must be >= 0");
        }
        SecretRules.checkName(name);
        Path nameDir = layout.nameDir(scope, owner, name);
        List<Integer> vs = SecretLayout.versionNumbers(nameDir);
        int n = 0;
        for (int v : vs.subList(0, Math.max(0, vs.size() - keepLatest))) {
            deleteFile(nameDir.resolve(v + ".json"));
            n++;
        }
        return n;
    }

    /** Deletes one version of a secret. */
    public void purgeVersion(SecretScope scope, String owner, String name, int version) {
        SecretRules.checkName(name);
        Path f = layout.recordFile(scope, owner, name, version);
        if (!Files.exists(f)) {
            throw new NotFoundException("no secret " + scope + "/" + owner + "/" + name + " v" + version);
        }
        deleteFile(f);
    }

    /** Deletes every version of a secret; its version numbers are not reused. */
    public void delete(SecretScope scope, String owner, String name) {
        purge(scope, owner, name, 0);
    }

    /** Deletes every secret of an owner, e.g. an agent's when it is deleted. */
    public void deleteOwner(SecretScope scope, String owner) {
        try {
            FileTrees.delete(layout.ownerDir(scope, owner));
        } catch (IOException e) {
            throw new NightshiftException("cannot delete the secrets of " + scope + "/" + owner + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Secret> secrets(SecretContext context) {
        List<Secret> out = new ArrayList<>();
        for (SecretScope scope : SecretScope.values()) {
            Optional<String> owner = context.owner(scope);
            if (owner.isEmpty()) {
                continue;
            }
            for (String name : layout.names(scope, owner.get())) {
                // git credentials are for the host's fetch and push, never environment variables
                get(scope, owner.get(), name).filter(s -> s.kind() != SecretKind.GIT_CREDENTIAL).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * Re-wraps, under the KMS's current key, every data key wrapped by another key; the
     * ciphertexts stay as they are. Returns how many records were re-wrapped.
     */
    public synchronized int rewrap() {
        String current = kms.keyId();
        int n = 0;
        for (Path f : layout.recordFiles()) {
            if (records.rewrap(f, current)) {
                n++;
            }
        }
        return n;
    }

    /** The ids of the KMS keys that wrap at least one stored data key. */
    public SortedSet<String> keyIdsInUse() {
        TreeSet<String> ids = new TreeSet<>();
        for (Path f : layout.recordFiles()) {
            ids.add(records.keyId(f));
        }
        return ids;
    }

    @Override
    public void close() {
        // nothing held open
    }

    private Secret read(SecretScope scope, String owner, String name, int version) {
        Path f = layout.recordFile(scope, owner, name, version);
        return records.decrypt(f, readRecord(f, scope, owner, name, version), scope, owner, name, version);
    }

    private SecretVersion meta(SecretScope scope, String owner, String name, int version) {
        Path f = layout.recordFile(scope, owner, name, version);
        return SecretRecords.meta(f, readRecord(f, scope, owner, name, version), scope, owner, name, version);
    }

    private com.fasterxml.jackson.databind.JsonNode readRecord(Path f, SecretScope scope, String owner, String name,
            int version) {
        return records.read(f, scope + "/" + owner + "/" + name + " v" + version + " in " + dir);
    }

    /** An owner id as one path segment (see {@link SecretLayout#encodeOwner}). */
    static String encodeOwner(String owner) {
        return SecretLayout.encodeOwner(owner);
    }

    private static void deleteFile(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new NightshiftException("cannot delete " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SecretStore[" + dir + ", kms=" + kms.keyId() + "]";
    }
}
