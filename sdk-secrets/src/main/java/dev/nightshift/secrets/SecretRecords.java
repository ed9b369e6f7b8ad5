package dev.nightshift.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.Secret;
import dev.nightshift.api.spi.SecretKind;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.api.spi.WrappedKey;
import dev.nightshift.common.AesGcm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * One record file of a {@link SecretStore} (format {@value #FORMAT}): a JSON object with the
 * secret's coordinates, the wrapped data key, the IV and the AES-256-GCM ciphertext (base64), the
 * ciphertext bound by its associated data to the coordinates of where the record is stored.
 *
 * <p><b>Thread-safety:</b> thread-safe (the mapper is, and nothing else is held). <b>Lifecycle:</b>
 * one per store.
 */
final class SecretRecords {
    static final int FORMAT = 1;

    private final Kms kms;
    private final ObjectMapper json = new ObjectMapper();

    SecretRecords(Kms kms) {
        this.kms = kms;
    }

    /** The record of {@code value} as {@code meta}, under a new data key wrapped by the KMS. */
    byte[] encrypt(SecretVersion meta, String value) throws IOException {
        byte[] dataKey = AesGcm.newKey();
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] iv = AesGcm.newIv();
            byte[] ct = AesGcm.encrypt(dataKey, iv, aad(meta.scope(), meta.owner(), meta.name(), meta.version(), meta.kind()), plain);
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

    /** Decrypts record {@code r} read from {@code f}, which is where {@code scope/owner/name/version} lives. */
    Secret decrypt(Path f, JsonNode r, SecretScope scope, String owner, String name, int version) {
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
            // bound to where the record is, not to what it says about itself
            byte[] plain = AesGcm.decrypt(dataKey, decode(f, r, "iv"), aad(scope, owner, name, version, kind),
                    decode(f, r, "ciphertext"));
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

    /**
     * Re-wraps the data key of record {@code f} under the KMS's current key {@code current};
     * returns whether it had to (false when it already was).
     */
    boolean rewrap(Path f, String current) {
        ObjectNode record = (ObjectNode) parse(f);
        WrappedKey old = new WrappedKey(text(f, record, "keyId"), decode(f, record, "wrappedKey"));
        if (old.keyId().equals(current)) {
            return false;
        }
        byte[] dataKey = kms.unwrap(old);
        try {
            WrappedKey fresh = kms.wrap(dataKey);
            record.put("keyId", fresh.keyId());
            record.put("wrappedKey", fresh.base64());
            OwnerOnlyFiles.replace(f, json.writeValueAsBytes(record));
            return true;
        } catch (IOException e) {
            throw new NightshiftException("cannot re-wrap " + f + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** The record in {@code f}, of a known format; {@code what} names the secret if the file is missing. */
    JsonNode read(Path f, String what) {
        if (!Files.exists(f)) {
            throw new NotFoundException("no secret " + what);
        }
        JsonNode r = parse(f);
        if (r.path("format").asInt() != FORMAT) {
            throw new NightshiftException(f + ": unknown secret record format " + r.path("format"));
        }
        return r;
    }

    /** The version record {@code r} (in {@code f}) describes, without its value. */
    static SecretVersion meta(Path f, JsonNode r, SecretScope scope, String owner, String name, int version) {
        Instant created;
        try {
            created = Instant.parse(text(f, r, "created"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new NightshiftException(f + ": /created is not a time");
        }
        return new SecretVersion(scope, owner, name, kind(f, r), version, created, text(f, r, "keyId"));
    }

    /** The id of the KMS key that wraps the data key of the record in {@code f}. */
    String keyId(Path f) {
        return text(f, parse(f), "keyId");
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
}
