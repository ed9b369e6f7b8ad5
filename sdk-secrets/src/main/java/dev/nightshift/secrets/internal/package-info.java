/**
 * sdk-secrets' redaction machinery behind {@link dev.nightshift.secrets.Redactor}: the patterns
 * of every form of every value ({@link dev.nightshift.secrets.internal.Patterns},
 * {@link dev.nightshift.secrets.internal.Encodings}), the Aho-Corasick automaton, the stream
 * redactors over chars and bytes, and the exec listener. Not for other modules: the
 * {@code architecture} module's test fails the build when one uses it.
 */
package dev.nightshift.secrets.internal;
