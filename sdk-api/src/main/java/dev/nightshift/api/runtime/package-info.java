/**
 * The runtime SPI: a {@link dev.nightshift.api.runtime.MachineRuntime} makes
 * {@link dev.nightshift.api.runtime.Machine}s from images, and images (snapshots) from machines.
 * A machine knows nothing of git or agents. The Docker implementation lives in
 * {@code nightshift-sdk-docker}; every implementation passes the runtime conformance test
 * published there.
 */
package dev.nightshift.api.runtime;
