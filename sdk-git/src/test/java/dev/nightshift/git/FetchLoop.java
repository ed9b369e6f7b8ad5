package dev.nightshift.git;

import java.nio.file.Path;

/** A second process for the cross-process lock test: fetches {@code args[1]} into cache {@code args[0]} N times. */
public final class FetchLoop {
    private FetchLoop() {
    }

    public static void main(String[] args) {
        try (GitHost git = GitHost.builder(Path.of(args[0])).build()) {
            int n = Integer.parseInt(args[2]);
            for (int i = 0; i < n; i++) {
                git.fetch(args[1], "b" + (i % 5));
            }
        }
        System.out.println("fetched");
    }
}
