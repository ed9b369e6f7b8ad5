package dev.nightshift.docker;

/** {@link DockerExecIT} with exec servers off: the engine's per-exec path keeps every semantic. */
class DockerExecPerExecIT extends DockerExecIT {
    @Override
    DockerRuntime runtime() {
        return DockerTests.perExecRuntime();
    }

    @Override
    boolean servers() {
        return false;
    }
}
