/**
 * Nightshift's pure contracts: agents, sessions, environments, drivers and the exceptions
 * every module throws.
 *
 * <p>This module depends on nothing but {@code java.*} and SLF4J's API; a test in the build
 * proves that no docker-java, JGit, Jackson or networknt type appears here. Sub-packages:
 * {@link dev.nightshift.api.spec} (the parsed {@code .cursor/environment.json}),
 * {@link dev.nightshift.api.runtime} (the {@code Runtime} / {@code Machine} SPI) and
 * {@link dev.nightshift.api.spi} (credentials, secrets, KMS and persistence SPIs).
 */
package dev.nightshift.api;
