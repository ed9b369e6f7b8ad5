/**
 * The parsed {@code .cursor/environment.json}: {@link dev.nightshift.api.spec.EnvironmentSpec}
 * and its parts. Parsing and validation live in {@code nightshift-sdk-spec}; these are plain
 * values anyone can build by hand.
 */
package dev.nightshift.api.spec;
