package dev.nightshift.core.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.api.spi.WrappedKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

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
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int FORMAT = 1;
    private static final String COUNTER = ".last-version";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final Kms kms;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    private SecretStore(Path dir, Kms kms, Clock clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.kms = kms;
        this.clock = clock;
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

    /** The directory the records live in. */
    public Path directory() {
        return dir;
    }

    /** Stores {@code value} as the next version of {@code name}; returns that version (without the value). */
    public SecretVersion set(SecretScope scope, String owner, String name, SecretKind kind, String value) {
        SecretRules.check(name, kind, value);
        Path nameDir = nameDir(scope, owner, name);
        try {
            OwnerOnlyFiles.createDirectories(nameDir);
            while (true) {
                int version = nextVersion(nameDir);
                SecretVersion meta = new SecretVersion(scope, owner, name, kind, version, clock.instant(), kms.keyId());
                byte[] record = encrypt(meta, value);
                if (OwnerOnlyFiles.createNew(nameDir.resolve(version + ".json"), record)) {
                    OwnerOnlyFiles.replace(nameDir.resolve(COUNTER), Integer.toString(version).getBytes(StandardCharsets.US_ASCII));
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
        List<Integer> versions = versionNumbers(nameDir(scope, owner, name));
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
        for (int v : versionNumbers(nameDir(scope, owner, name))) {
            out.add(meta(scope, owner, name, v, readRecord(scope, owner, name, v)));
        }
        return out;
    }

    /** The current version of each secret of an owner, by name, without values. */
    public List<SecretVersion> list(SecretScope scope, String owner) {
        List<SecretVersion> out = new ArrayList<>();
        for (String name : names(scope, owner)) {
            List<Integer> vs = versionNumbers(nameDir(scope, owner, name));
            if (!vs.isEmpty()) {
                int v = vs.get(vs.size() - 1);
                out.add(meta(scope, owner, name, v, readRecord(scope, owner, name, v)));
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
        Path nameDir = nameDir(scope, owner, name);
        List<Integer> vs = versionNumbers(nameDir);
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
        Path f = nameDir(scope, owner, name).resolve(version + ".json");
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
        Path d = ownerDir(scope, owner);
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(d)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
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
            for (String name : names(scope, owner.get())) {
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
        for (Path f : recordFiles()) {
            ObjectNode record = (ObjectNode) parse(f);
            WrappedKey old = new WrappedKey(text(f, record, "keyId"), decode(f, record, "wrappedKey"));
            if (old.keyId().equals(current)) {
                continue;
            }
            byte[] dataKey = kms.unwrap(old);
            try {
                WrappedKey fresh = kms.wrap(dataKey);
                record.put("keyId", fresh.keyId());
                record.put("wrappedKey", fresh.base64());
                OwnerOnlyFiles.replace(f, json.writeValueAsBytes(record));
                n++;
            } catch (IOException e) {
                throw new NightshiftException("cannot re-wrap " + f + ": " + e.getMessage(), e);
            } finally {
                Arrays.fill(dataKey, (byte) 0);
            }
        }
        return n;
    }

    /** The ids of the KMS keys that wrap at least one stored data key. */
    public SortedSet<String> keyIdsInUse() {
        TreeSet<String> ids = new TreeSet<>();
        for (Path f : recordFiles()) {
            ids.add(text(f, parse(f), "keyId"));
        }
        return ids;
    }

    @Override
    public void close() {
        // nothing held open
    }

    // ---- records

    private byte[] encrypt(SecretVersion meta, String value) throws IOException {
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(aad(meta.scope(), meta.owner(), meta.name(), meta.version(), meta.kind()));
            byte[] ct = c.doFinal(plain);
            WrappedKey wrapped = kms.wrap(dataKey);
            ObjectNode r = json.createObjectNode();
            r.put("format", FORMAT);
            r.put("scope", meta.scope().name());
            r.put("owner", meta.owner());
            r.put("name", meta.name());
            r.put("version", meta.version());
            r.put("kind", meta.kind().name());
            r.put("created", meta.created().toString());
            r.put("keyId", wrapped.keyId());
            r.put("wrappedKey", wrapped.base64());
            r.put("iv", Base64.getEncoder().encodeToString(iv));
            r.put("ciphertext", Base64.getEncoder().encodeToString(ct));
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(r);
        } catch (GeneralSecurityException e) {
            throw new NightshiftException("cannot encrypt secret " + meta.coordinates() + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
            Arrays.fill(plain, (byte) 0);
        }
    }

    private Secret read(SecretScope scope, String owner, String name, int version) {
        Path f = nameDir(scope, owner, name).resolve(version + ".json");
        JsonNode r = readRecord(scope, owner, name, version);
        String where = scope + "/" + owner + "/" + name + " v" + version + " (" + f + ")";
        SecretKind kind = kind(f, r);
        WrappedKey wrapped = new WrappedKey(text(f, r, "keyId"), decode(f, r, "wrappedKey"));
        byte[] dataKey;
        try {
            dataKey = kms.unwrap(wrapped);
        } catch (NightshiftException e) {
            throw new NightshiftException("cannot decrypt secret " + where + ": " + e.getMessage(), e);
        }
        try {
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, decode(f, r, "iv")));
            // bound to where the record is, not to what it says about itself
            c.updateAAD(aad(scope, owner, name, version, kind));
            byte[] plain = c.doFinal(decode(f, r, "ciphertext"));
            String value = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(plain)).toString();
            Arrays.fill(plain, (byte) 0);
            return new Secret(name, value, kind, scope, owner, version);
        } catch (AEADBadTagException e) {
            throw new NightshiftException("cannot decrypt secret " + where + ": the record was edited, or moved here from"
                    + " another secret, or its ciphertext is damaged; set the secret again or restore the file from a backup");
        } catch (GeneralSecurityException | CharacterCodingException | IllegalArgumentException e) {
            throw new NightshiftException("cannot decrypt secret " + where + ": " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private JsonNode readRecord(SecretScope scope, String owner, String name, int version) {
        Path f = nameDir(scope, owner, name).resolve(version + ".json");
        if (!Files.exists(f)) {
            throw new NotFoundException("no secret " + scope + "/" + owner + "/" + name + " v" + version + " in " + dir);
        }
        JsonNode r = parse(f);
        if (r.path("format").asInt() != FORMAT) {
            throw new NightshiftException(f + ": unknown secret record format " + r.path("format"));
        }
        return r;
    }

    private SecretVersion meta(SecretScope scope, String owner, String name, int version, JsonNode r) {
        Path f = nameDir(scope, owner, name).resolve(version + ".json");
        Instant created;
        try {
            created = Instant.parse(text(f, r, "created"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new NightshiftException(f + ": /created is not a time");
        }
        return new SecretVersion(scope, owner, name, kind(f, r), version, created, text(f, r, "keyId"));
    }

    private static SecretKind kind(Path f, JsonNode r) {
        try {
            return SecretKind.valueOf(text(f, r, "kind"));
        } catch (IllegalArgumentException e) {
            throw new NightshiftException(f + ": /kind is not one of ENV, RUNTIME, BUILD, GIT_CREDENTIAL");
        }
    }

    private JsonNode parse(Path f) {
        try {
            return json.readTree(Files.readAllBytes(f));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("secret record " + f + " is gone");
        } catch (IOException e) {
            throw new NightshiftException("cannot read secret record " + f + ": not valid JSON", e);
        }
    }

    private static String text(Path f, JsonNode r, String field) {
        JsonNode n = r.get(field);
        if (n == null || !n.isTextual()) {
            throw new NightshiftException(f + ": /" + field + " is missing or not a string");
        }
        return n.asText();
    }

    private static byte[] decode(Path f, JsonNode r, String field) {
        try {
            return Base64.getDecoder().decode(text(f, r, field));
        } catch (IllegalArgumentException e) {
            throw new NightshiftException(f + ": /" + field + " is not base64");
        }
    }

    static byte[] aad(SecretScope scope, String owner, String name, int version, SecretKind kind) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String part : List.of("nightshift-secret/v1", scope.name(), owner, name, Integer.toString(version), kind.name())) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            b.write(bytes.length >>> 8);
            b.write(bytes.length);
            b.writeBytes(bytes);
        }
        return b.toByteArray();
    }

    // ---- layout

    private Path ownerDir(SecretScope scope, String owner) {
        return dir.resolve(scope.name().toLowerCase(Locale.ROOT)).resolve(encodeOwner(owner));
    }

    private Path nameDir(SecretScope scope, String owner, String name) {
        return ownerDir(scope, owner).resolve(name);
    }

    /** An owner id as one path segment: kept where safe, else percent-encoded (reversibly). */
    static String encodeOwner(String owner) {
        if (owner == null || owner.isEmpty() || owner.length() > 256) {
            throw new ValidationException("a secret owner id must have 1 to 256 characters");
        }
        StringBuilder b = new StringBuilder();
        byte[] bytes = owner.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || (c == '.' && i > 0);
            if (safe) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return b.toString();
    }

    private List<String> names(SecretScope scope, String owner) {
        Path d = ownerDir(scope, owner);
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (SecretRules.nameProblem(n) == null && Files.isDirectory(p)) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot list secrets in " + d + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    private static List<Integer> versionNumbers(Path nameDir) {
        List<Integer> out = new ArrayList<>();
        if (!Files.isDirectory(nameDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(nameDir, "*.json")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                String digits = f.substring(0, f.length() - ".json".length());
                if (digits.matches("[1-9][0-9]{0,8}")) {
                    out.add(Integer.parseInt(digits));
                }
            }
        } catch (IOException e) {
            throw new NightshiftException("cannot list versions in " + nameDir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    private static int nextVersion(Path nameDir) throws IOException {
        int last = 0;
        List<Integer> vs = versionNumbers(nameDir);
        if (!vs.isEmpty()) {
            last = vs.get(vs.size() - 1);
        }
        Path counter = nameDir.resolve(COUNTER);
        if (Files.exists(counter)) {
            String s = Files.readString(counter, StandardCharsets.US_ASCII).strip();
            if (s.matches("[0-9]{1,9}")) {
                last = Math.max(last, Integer.parseInt(s));
            }
        }
        return last + 1;
    }

    private List<Path> recordFiles() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().matches("[1-9][0-9]*\\.json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new NightshiftException("cannot list the secret store " + dir + ": " + e.getMessage(), e);
        }
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
