package dev.nightshift.secrets.internal;

import java.util.Objects;

/**
 * A file (or other named text) that holds a secret's value, named by the secret's name only.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * @param file the file, relative to the root it was scanned under (or the label it was given)
 * @param secretName the name of the secret whose value (or an encoding of it) is in the file
 */
public record SecretFinding(String file, String secretName) {
    public SecretFinding {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(secretName, "secretName");
    }

    @Override
    public String toString() {
        return file + ": holds the value of secret " + secretName;
    }
}
