/**
 * The Kubernetes runtime's internals: cluster objects, the exec-server protocol over the pod
 * exec API, files, terminals and snapshots. Not an API: other modules must not use these types.
 */
package dev.nightshift.kubernetes.internal;
