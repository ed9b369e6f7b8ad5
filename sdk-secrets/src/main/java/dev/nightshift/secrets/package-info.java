/**
 * Secrets: encrypted at rest, resolved per build and agent, redacted from everything recorded.
 *
 * <ul>
 *   <li>The store: {@link dev.nightshift.secrets.SecretStore} (envelope encryption, versions,
 *       re-wrapping), the {@link dev.nightshift.secrets.SecretVersion}s it lists, and
 *       {@link dev.nightshift.secrets.GitCredentialStore} (git credentials kept in it).</li>
 *   <li>The local KMS: {@link dev.nightshift.secrets.LocalKms}.</li>
 *   <li>Redaction: {@link dev.nightshift.secrets.Redactor} (and the
 *       {@link dev.nightshift.secrets.StreamRedactor} and
 *       {@link dev.nightshift.secrets.RedactingExecListener} it is used through), and
 *       {@link dev.nightshift.secrets.ResolvedSecrets}, the scopes merged for one build or agent,
 *       which hands out the redactor and the {@link dev.nightshift.secrets.SecretScanner} guards.</li>
 * </ul>
 *
 * <p>Everything else in this package is package-private. The on-disk formats are described in
 * {@code sdk-secrets/SECRETS.md}.
 */
package dev.nightshift.secrets;
