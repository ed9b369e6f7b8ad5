/**
 * The Kubernetes runtime's internals: cluster objects, sdk-machine's exec server over the pod
 * exec API, files, terminals and snapshots. Not an API: other modules must not use these types.
 */
package dev.nightshift.kubernetes.internal;
