/**
 * Git on the host: a mirror cache per remote, credentials from
 * {@link dev.nightshift.api.spi.GitCredentials} that never leave the host, branch naming, and
 * moving commits into and out of a {@link dev.nightshift.api.runtime.Machine} as git bundles.
 * Start at {@link dev.nightshift.git.GitHost}.
 */
package dev.nightshift.git;
