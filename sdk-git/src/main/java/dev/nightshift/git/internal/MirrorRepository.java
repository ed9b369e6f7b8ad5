package dev.nightshift.git.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A mirror's bare repository: JGit's file repository whose first fetch (into an empty object
 * directory) indexes the pack on every core ({@link ParallelPackParser}); every later pack goes
 * through JGit's own parser.
 *
 * <p>Thread-safety: as {@link FileRepository}. Lifecycle: closed by {@link Mirrors#close()}.
 */
final class MirrorRepository extends FileRepository {

    private MirrorRepository(FileRepositoryBuilder options) throws IOException {
        super(options);
    }

    /** Opens the bare repository at {@code gitDir} (which may not exist yet: see {@link #create}). */
    static MirrorRepository open(File gitDir) throws IOException {
        FileRepositoryBuilder b = new FileRepositoryBuilder().setGitDir(gitDir).setBare();
        b.setup();
        return new MirrorRepository(b);
    }

    @Override
    public ObjectInserter newObjectInserter() {
        ObjectInserter inserter = super.newObjectInserter();
        return new ObjectInserter.Filter() {
            @Override
            protected ObjectInserter delegate() {
                return inserter;
            }

            @Override
            public PackParser newPackParser(InputStream in) {
                return new ParallelPackParser(getObjectDatabase(), getFS(), in, inserter);
            }
        };
    }
}
