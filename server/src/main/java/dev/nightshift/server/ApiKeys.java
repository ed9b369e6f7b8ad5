package dev.nightshift.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.common.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's API keys, kept in one JSON file of the state directory
 * ({@code server/api-keys.json}, readable by its owner only). A key is shown once, when it is
 * created; the file keeps its SHA-256 digest, its name, its owner and when it was made. Keys are
 * 256 random bits, so a plain digest is enough to make the file useless to a reader (a slow
 * password hash protects guessable secrets, which these are not).
 *
 * <p>Several processes may share the file (the CLI's {@code nightshift keys} while a server runs):
 * every change rewrites it atomically, and a reader reloads it when it changed on disk, so a
 * revoked key stops working at once.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> no resources held; make one per file.
 *
 * <pre>{@code
 * ApiKeys keys = ApiKeys.open(stateDirectory);
 * String key = keys.create("ci-bot", "platform-team"); // print it once
 * keys.verify(key).ifPresent(k -> System.out.println(k.owner()));
 * }</pre>
 */
public final class ApiKeys {
    /** Prefix of every key: tells a leaked string apart from other tokens. */
    public static final String PREFIX = "nsk_";
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the file keeps of a key.
     *
     * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
     *
     * @param name unique name of the key (what {@code /v0/me} reports as {@code apiKeyName})
     * @param owner who the key acts for: agents made with it belong to this owner
     * @param createdAt when it was made
     * @param sha256 hex digest of the key
     */
    public record ApiKey(String name, String owner, Instant createdAt, String sha256) {
        public ApiKey {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    private final Path file;
    private final Clock clock;
    private List<ApiKey> keys = List.of();
    private FileTime loadedAt;
    private long loadedSize = -1;

    private ApiKeys(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** The keys of the state directory {@code stateDirectory} (the file need not exist yet). */
    public static ApiKeys open(Path stateDirectory) {
        return openFile(stateDirectory.resolve("server").resolve("api-keys.json"), Clock.systemUTC());
    }

    /** The keys kept in {@code file}. */
    public static ApiKeys openFile(Path file, Clock clock) {
        return new ApiKeys(file, clock);
    }

    /** Where the keys are kept. */
    public Path file() {
        return file;
    }

    /**
     * Makes a key named {@code name} acting for {@code owner}; returns the key, which is never
     * shown again.
     *
     * @throws ConflictException when a key of that name exists
     */
    public synchronized String create(String name, String owner) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a key name is 1-64 letters, digits, '.', '_' or '-': " + name);
        }
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("a key needs an owner");
        }
        List<ApiKey> now = new ArrayList<>(load());
        if (now.stream().anyMatch(k -> k.name().equals(name))) {
            throw new ConflictException("an API key named '" + name + "' exists; revoke it first or pick another name");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        now.add(new ApiKey(name, owner.strip(), clock.instant(), sha256(key)));
        save(now);
        return key;
    }

    /** Every key's record (never the keys themselves), oldest first. */
    public synchronized List<ApiKey> list() {
        return load();
    }

    /**
     * Removes the key named {@code name}.
     *
     * @throws NotFoundException when there is none
     */
    public synchronized void revoke(String name) {
        List<ApiKey> now = new ArrayList<>(load());
        if (!now.removeIf(k -> k.name().equals(name))) {
            throw new NotFoundException("no API key named '" + name + "'");
        }
        save(now);
    }

    /** The record of {@code presented}, when it is a current key. */
    public synchronized Optional<ApiKey> verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        byte[] digest = HexFormat.of().parseHex(sha256(presented));
        for (ApiKey k : load()) {
            if (MessageDigest.isEqual(digest, HexFormat.of().parseHex(k.sha256()))) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    private List<ApiKey> load() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (!modified.equals(loadedAt) || size != loadedSize) {
                keys = List.copyOf(JSON.readValue(Files.readAllBytes(file), new TypeReference<List<ApiKey>>() { }));
                loadedAt = modified;
                loadedSize = size;
            }
            return keys;
        } catch (NoSuchFileException e) {
            keys = List.of();
            loadedAt = null;
            loadedSize = -1;
            return keys;
        } catch (IOException e) {
            throw new NightshiftException("cannot read the API keys in " + file + ": " + e.getMessage(), e);
        }
    }

    private void save(List<ApiKey> now) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".api-keys", ".tmp");
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(now)
                    .getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            keys = List.copyOf(now);
            loadedAt = Files.getLastModifiedTime(file);
            loadedSize = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the API keys to " + file, e);
        }
    }

    static String sha256(String key) {
        return Hashing.sha256Hex(key);
    }
}
