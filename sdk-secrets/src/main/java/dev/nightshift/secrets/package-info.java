/**
 * Secrets: encrypted at rest, resolved per build and agent, redacted from everything recorded.
 *
 * <ul>
 *   <li>The store: {@link dev.nightshift.secrets.SecretStore} (envelope encryption, versions,
 *       re-wrapping, and {@link dev.nightshift.secrets.SecretStore#check} for the rules every
 *       secret follows), the {@link dev.nightshift.secrets.SecretVersion}s it lists, and
 *       {@link dev.nightshift.secrets.GitCredentialStore} (git credentials kept in it).</li>
 *   <li>The local KMS: {@link dev.nightshift.secrets.LocalKms}.</li>
 *   <li>Redaction's one entry point: {@link dev.nightshift.secrets.Redactor}, for text, for
 *       chunked text ({@link dev.nightshift.secrets.Redactor#stream()}) and for a command's
 *       output ({@link dev.nightshift.secrets.Redactor#execListener}).</li>
 * </ul>
 *
 * <p>The push guard's detector is behind the same entry point, not a public scanner of its own:
 * it is the redactor's own patterns asked a different question
 * ({@link dev.nightshift.secrets.Redactor#containsSecret},
 * {@link dev.nightshift.secrets.Redactor#secretsIn(java.io.InputStream)}), so one value per set of
 * secrets serves both and they cannot drift apart.
 *
 * <p>The implementation (automaton, encodings, stream redactors, the file scanner) lives in
 * {@code dev.nightshift.secrets.internal}, which other modules may not use (the architecture
 * test enforces it); everything else in this package is package-private. The on-disk formats
 * are described in {@code sdk-secrets/SECRETS.md}.
 */
package dev.nightshift.secrets;
