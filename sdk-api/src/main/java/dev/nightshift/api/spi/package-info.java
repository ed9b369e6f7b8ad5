/**
 * Service provider interfaces a host application implements or picks: git credentials, secrets,
 * key management and agent persistence. Each is small; sdk-core finds an implementation by
 * explicit builder setting, then system property / environment variable, then
 * {@link java.util.ServiceLoader} sorted by priority, and fails fast listing every candidate
 * when none applies.
 */
package dev.nightshift.api.spi;
