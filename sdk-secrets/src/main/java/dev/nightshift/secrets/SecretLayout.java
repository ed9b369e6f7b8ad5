package dev.nightshift.secrets;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.SecretScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where a {@link SecretStore}'s records live: {@code <dir>/<scope>/<owner>/<NAME>/<version>.json}
 * and, beside the versions of a name, the {@value #COUNTER} file that keeps version numbers from
 * being reused after a delete.
 *
 * <p><b>Thread-safety:</b> immutable; every call reads the directory afresh. <b>Lifecycle:</b> one
 * per store.
 */
final class SecretLayout {
    static final String COUNTER = ".last-version";

    private final Path dir;

    SecretLayout(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path ownerDir(SecretScope scope, String owner) {
        return dir.resolve(scope.name().toLowerCase(Locale.ROOT)).resolve(encodeOwner(owner));
    }

    Path nameDir(SecretScope scope, String owner, String name) {
        return ownerDir(scope, owner).resolve(name);
    }

    Path recordFile(SecretScope scope, String owner, String name, int version) {
        return nameDir(scope, owner, name).resolve(version + ".json");
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

    /** The names of an owner's secrets, sorted. */
    List<String> names(SecretScope scope, String owner) {
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

    /** The version numbers stored in a name's directory, ascending. */
    static List<Integer> versionNumbers(Path nameDir) {
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

    /** The number the next version of a name gets: after every stored one and after the counter. */
    static int nextVersion(Path nameDir) throws IOException {
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

    /** Every record file of the store, sorted. */
    List<Path> recordFiles() {
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
}
