/**
 * Not API: helpers written once for Nightshift's own modules (SHA-256 hex hashing, named daemon
 * threads, recursive deletion of a directory, AES-256-GCM). Applications should not use them;
 * they may change in any release. The module has no dependencies, so any Nightshift module may
 * depend on it without adding an arrow to the module graph; {@code sdk-api} does not, and names
 * none of these types.
 */
package dev.nightshift.common;
