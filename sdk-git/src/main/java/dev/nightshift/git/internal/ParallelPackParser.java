package dev.nightshift.git.internal;

import java.io.EOFException;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountedCompleter;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.internal.storage.file.BasePackIndexWriter;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.internal.storage.file.PackFile;
import org.eclipse.jgit.internal.storage.file.PackLockImpl;
import org.eclipse.jgit.internal.storage.pack.BinaryDelta;
import org.eclipse.jgit.internal.storage.pack.PackExt;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.MutableObjectId;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.transport.PackLock;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.transport.PackedObjectInfo;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.sha1.SHA1;

/**
 * Indexes a complete (non-thin) pack into an empty object directory using every core, the way
 * {@code git index-pack --threads} does, where JGit's own parser resolves deltas on one thread.
 * Object ids come from {@link SHA1#newInstance()}, so JGit's SHA-1 choice (collision detection by
 * default) holds here too; the pack's trailing checksum is verified; the index is version 2.
 *
 * <p>Used only where it is correct without JGit's extra checks: the object directory has no
 * object yet (nothing to collide with, nothing a thin pack could lean on) and the caller asked
 * for nothing this parser does not do (object checking, new or base object ids, a size limit,
 * data after the footer). Anything else goes to the repository's own parser, unchanged.
 *
 * <p>Thread-safety: one parse per instance, like every {@link PackParser}. Lifecycle: the worker
 * pool lives for one {@link #parse} call.
 */
final class ParallelPackParser extends PackParser {
    private static final int HEADER = 12;
    private static final int TRAILER = 20;

    private final ObjectDirectory db;
    private final InputStream src;
    private final ObjectInserter fallbackInserter;
    private final FS fs;
    private boolean allowThin;
    private boolean needNewIds;
    private boolean needBaseIds;
    private boolean checkEof;
    private boolean dataAfterFooter;
    private ObjectChecker checker;
    private String lockMessage;
    private long sizeLimit;

    ParallelPackParser(ObjectDirectory db, FS fs, InputStream src, ObjectInserter fallbackInserter) {
        super(db, src);
        this.fs = fs;
        this.db = db;
        this.src = src;
        this.fallbackInserter = fallbackInserter;
    }

    /** True when {@code db} holds no object: no pack, no loose object, no alternate. */
    static boolean isEmpty(ObjectDirectory db) {
        File objects = db.getDirectory();
        String[] names = objects.list();
        if (names == null) {
            return true;
        }
        for (String name : names) {
            if (name.equals("pack")) {
                String[] packs = new File(objects, name).list();
                if (packs != null && Arrays.stream(packs).anyMatch(p -> p.endsWith(".pack") || p.endsWith(".idx"))) {
                    return false;
                }
            } else if (name.equals("info")) {
                if (new File(objects, "info/alternates").exists()) {
                    return false;
                }
            } else if (name.length() == 2) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void setAllowThin(boolean allow) {
        allowThin = allow;
        super.setAllowThin(allow);
    }

    @Override
    public void setNeedNewObjectIds(boolean b) {
        needNewIds = b;
        super.setNeedNewObjectIds(b);
    }

    @Override
    public void setNeedBaseObjectIds(boolean b) {
        needBaseIds = b;
        super.setNeedBaseObjectIds(b);
    }

    @Override
    public void setCheckEofAfterPackFooter(boolean b) {
        checkEof = b;
        super.setCheckEofAfterPackFooter(b);
    }

    @Override
    public void setExpectDataAfterPackFooter(boolean e) {
        dataAfterFooter = e;
        super.setExpectDataAfterPackFooter(e);
    }

    @Override
    public void setObjectChecker(ObjectChecker oc) {
        checker = oc;
        super.setObjectChecker(oc);
    }

    @Override
    public void setObjectChecking(boolean on) {
        setObjectChecker(on ? new ObjectChecker() : null);
    }

    @Override
    public void setLockMessage(String msg) {
        lockMessage = msg;
        super.setLockMessage(msg);
    }

    @Override
    public void setMaxObjectSizeLimit(long limit) {
        sizeLimit = limit;
        super.setMaxObjectSizeLimit(limit);
    }

    @Override
    public PackLock parse(ProgressMonitor receiving, ProgressMonitor resolving) throws IOException {
        if (checker != null || needNewIds || needBaseIds || dataAfterFooter || sizeLimit > 0 || !isEmpty(db)) {
            PackParser p = fallbackInserter.newPackParser(src);
            p.setAllowThin(allowThin);
            p.setNeedNewObjectIds(needNewIds);
            p.setNeedBaseObjectIds(needBaseIds);
            p.setCheckEofAfterPackFooter(checkEof);
            p.setExpectDataAfterPackFooter(dataAfterFooter);
            p.setObjectChecker(checker);
            p.setLockMessage(lockMessage);
            p.setMaxObjectSizeLimit(sizeLimit);
            return p.parse(receiving, resolving);
        }
        PARALLEL_PARSES.incrementAndGet();
        File tmpPack = File.createTempFile("incoming_", ".pack", db.getDirectory());
        File tmpIdx = new File(db.getDirectory(), tmpPack.getName().replaceAll("\\.pack$", ".idx"));
        try {
            Entries entries;
            byte[] checksum;
            try (RandomAccessFile file = new RandomAccessFile(tmpPack, "rw")) {
                Receiver receiver = new Receiver(src, file);
                entries = receiver.receive();
                checksum = receiver.checksum;
                if (checkEof && src.read() >= 0) {
                    throw new CorruptObjectException("data after the pack's footer");
                }
                file.getChannel().force(true);
                resolve(entries, file.getChannel());
            }
            List<PackedObjectInfo> list = entries.sorted();
            try (OutputStream out = new FileOutputStream(tmpIdx)) {
                BasePackIndexWriter.createVersion(out, 2).write(list, checksum);
                out.flush();
                ((FileOutputStream) out).getChannel().force(true);
            }
            tmpPack.setReadOnly();
            tmpIdx.setReadOnly();
            return install(list, tmpPack, tmpIdx);
        } finally {
            tmpPack.delete();
            tmpIdx.delete();
        }
    }

    private PackLock install(List<PackedObjectInfo> list, File tmpPack, File tmpIdx) throws IOException {
        if (list.isEmpty()) {
            return null;
        }
        MessageDigest d = Constants.newMessageDigest();
        byte[] raw = new byte[Constants.OBJECT_ID_LENGTH];
        for (PackedObjectInfo o : list) {
            o.copyRawTo(raw, 0);
            d.update(raw);
        }
        File packDir = new File(db.getDirectory(), "pack");
        PackFile pack = new PackFile(packDir, ObjectId.fromRaw(d.digest()), PackExt.PACK);
        PackFile idx = pack.create(PackExt.INDEX);
        Files.createDirectories(packDir.toPath());
        if (pack.exists()) {
            return null;
        }
        PackLockImpl keep = new PackLockImpl(pack, fs);
        if (lockMessage != null && !keep.lock(lockMessage)) {
            throw new IOException("cannot lock pack " + pack);
        }
        try {
            Files.move(tmpPack.toPath(), pack.toPath(), StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpIdx.toPath(), idx.toPath(), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            keep.unlock();
            pack.delete();
            throw new IOException("cannot move pack " + pack + " into place: " + e.getMessage(), e);
        }
        db.openPack(pack);
        return lockMessage != null ? keep : null;
    }

    /** Resolves every object's id: whole objects and their delta trees in parallel. */
    private static void resolve(Entries e, FileChannel pack) throws IOException {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            pool.invoke(new Roots(e, pack));
        } catch (RuntimeException ex) {
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof IOException io) {
                    throw io;
                }
            }
            throw ex;
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < e.count; i++) {
            if (e.ids[i] == null) {
                throw new CorruptObjectException("the pack holds deltas whose base is not in it (a thin pack, "
                        + "which an empty repository cannot complete), e.g. at offset " + e.offset[i]);
            }
        }
    }

    /** An {@link IOException} carried through the fork-join pool. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Forks one {@link Resolve} per whole object. */
    private static final class Roots extends CountedCompleter<Void> {
        private static final long serialVersionUID = 1L;
        private final transient Entries e;
        private final transient FileChannel pack;

        Roots(Entries e, FileChannel pack) {
            this.e = e;
            this.pack = pack;
        }

        @Override
        public void compute() {
            for (int i = 0; i < e.count; i++) {
                if (e.type[i] != Constants.OBJ_OFS_DELTA && e.type[i] != Constants.OBJ_REF_DELTA) {
                    addToPendingCount(1);
                    new Resolve(this, e, pack, i, null, 0).fork();
                }
            }
            tryComplete();
        }
    }

    /**
     * Resolves one object (inflating it, applying it to its base when it is a delta), hashes
     * it, then forks its children. Forked, never joined: the stack stays flat however long the
     * delta chains.
     */
    private static final class Resolve extends CountedCompleter<Void> {
        private static final long serialVersionUID = 1L;
        private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
        private final transient Entries e;
        private final transient FileChannel pack;
        private final int index;
        private final byte[] base;
        private final int baseType;

        Resolve(CountedCompleter<?> parent, Entries e, FileChannel pack, int index, byte[] base, int baseType) {
            super(parent);
            this.e = e;
            this.pack = pack;
            this.index = index;
            this.base = base;
            this.baseType = baseType;
        }

        @Override
        public void compute() {
            try {
                byte[] data = inflate(index);
                int type = e.type[index];
                if (base != null) {
                    data = BinaryDelta.apply(base, data);
                    type = baseType;
                }
                SHA1 sha1 = SHA1.newInstance();
                sha1.update(Constants.encodedTypeString(type));
                sha1.update((byte) ' ');
                sha1.update(Constants.encodeASCII(data.length));
                sha1.update((byte) 0);
                sha1.update(data);
                MutableObjectId id = new MutableObjectId();
                sha1.digest(id);
                ObjectId objectId = id.toObjectId();
                e.ids[index] = objectId;
                e.resolvedType[index] = type;
                e.fullSize[index] = data.length;
                for (int child : e.children(index, objectId)) {
                    addToPendingCount(1);
                    new Resolve(this, e, pack, child, data, type).fork();
                }
            } catch (IOException ex) {
                throw new Failure(ex);
            } catch (RuntimeException ex) {
                throw new Failure(new CorruptObjectException("object at offset " + e.offset[index]
                        + " of the pack cannot be resolved: " + ex));
            }
            tryComplete();
        }

        private byte[] inflate(int i) throws IOException {
            long start = e.dataStart[i];
            int length = Math.toIntExact(e.offset(i + 1) - start);
            ByteBuffer compressed = ByteBuffer.allocate(length);
            while (compressed.hasRemaining()) {
                if (pack.read(compressed, start + compressed.position()) < 0) {
                    throw new EOFException("pack ends inside the object at offset " + e.offset[i]);
                }
            }
            byte[] out = new byte[Math.toIntExact(e.size[i])];
            Inflater inf = INFLATER.get();
            inf.reset();
            inf.setInput(compressed.array(), 0, length);
            try {
                int n = 0;
                while (n < out.length) {
                    int got = inf.inflate(out, n, out.length - n);
                    if (got == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    n += got;
                }
                if (n != out.length) {
                    throw new CorruptObjectException("object at offset " + e.offset[i] + " inflates to " + n
                            + " bytes, not " + out.length);
                }
            } catch (DataFormatException ex) {
                throw new CorruptObjectException("object at offset " + e.offset[i] + ": " + ex.getMessage());
            }
            return out;
        }
    }

    /** What the first pass learns about each object, in pack order. */
    static final class Entries {
        final int count;
        final long[] offset;
        final long[] dataStart;
        final int[] type;
        final long[] size;
        final int[] crc;
        final long[] baseOffset;
        final ObjectId[] baseId;
        final ObjectId[] ids;
        final int[] resolvedType;
        final long[] fullSize;
        long end;
        private final Map<Long, int[]> byBaseOffset = new HashMap<>();
        private final Map<ObjectId, int[]> byBaseId = new HashMap<>();

        Entries(int count) {
            this.count = count;
            offset = new long[count];
            dataStart = new long[count];
            type = new int[count];
            size = new long[count];
            crc = new int[count];
            baseOffset = new long[count];
            baseId = new ObjectId[count];
            ids = new ObjectId[count];
            resolvedType = new int[count];
            fullSize = new long[count];
        }

        long offset(int i) {
            return i < count ? offset[i] : end;
        }

        void link() {
            Map<Long, List<Integer>> ofs = new HashMap<>();
            Map<ObjectId, List<Integer>> ref = new HashMap<>();
            for (int i = 0; i < count; i++) {
                if (type[i] == Constants.OBJ_OFS_DELTA) {
                    ofs.computeIfAbsent(baseOffset[i], k -> new ArrayList<>(1)).add(i);
                } else if (type[i] == Constants.OBJ_REF_DELTA) {
                    ref.computeIfAbsent(baseId[i], k -> new ArrayList<>(1)).add(i);
                }
            }
            ofs.forEach((k, v) -> byBaseOffset.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
            ref.forEach((k, v) -> byBaseId.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        }

        int[] children(int i, AnyObjectId id) {
            int[] a = byBaseOffset.getOrDefault(offset[i], NONE);
            int[] b = byBaseId.isEmpty() ? NONE : byBaseId.getOrDefault(id, NONE);
            if (b.length == 0) {
                return a;
            }
            int[] both = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            return both;
        }

        List<PackedObjectInfo> sorted() throws CorruptObjectException {
            List<PackedObjectInfo> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                PackedObjectInfo o = new PackedObjectInfo(ids[i]);
                o.setOffset(offset[i]);
                o.setCRC(crc[i]);
                o.setType(resolvedType[i]);
                o.setFullSize(fullSize[i]);
                list.add(o);
            }
            list.sort(null);
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i).equals(list.get(i - 1))) {
                    throw new CorruptObjectException("the pack holds object " + list.get(i).name() + " twice");
                }
            }
            return list;
        }

        private static final int[] NONE = {};
    }

    /**
     * The first pass, on the calling thread: copies the stream into the pack file while reading
     * each object's header and finding where its compressed data ends; checks the trailing
     * checksum. Inflated bytes are thrown away here; the resolvers inflate again, in parallel.
     */
    private static final class Receiver {
        private final InputStream in;
        private final RandomAccessFile file;
        private final byte[] buf = new byte[1 << 16];
        private final byte[] scratch = new byte[1 << 16];
        private final MessageDigest digest = Constants.newMessageDigest();
        private final CRC32 crc = new CRC32();
        private final Inflater inflater = new Inflater();
        private final byte[] out = new byte[1 << 16];
        private int outLength;
        private int pos;
        private int end;
        private long offset;
        byte[] checksum;

        Receiver(InputStream in, RandomAccessFile file) {
            this.in = in;
            this.file = file;
        }

        Entries receive() throws IOException {
            try {
                byte[] header = take(HEADER);
                if (header[0] != 'P' || header[1] != 'A' || header[2] != 'C' || header[3] != 'K') {
                    throw new CorruptObjectException("not a pack: no PACK signature");
                }
                long version = readUInt32(header, 4);
                if (version != 2 && version != 3) {
                    throw new CorruptObjectException("unsupported pack version " + version);
                }
                long count = readUInt32(header, 8);
                if (count > Integer.MAX_VALUE - 8) {
                    throw new CorruptObjectException("pack claims " + count + " objects");
                }
                Entries e = new Entries((int) count);
                for (int i = 0; i < e.count; i++) {
                    entry(e, i);
                }
                e.end = offset;
                flush();
                byte[] expected = digest.digest();
                checksum = new byte[TRAILER];
                for (int i = 0; i < TRAILER; i++) {
                    checksum[i] = (byte) readRaw();
                }
                if (!MessageDigest.isEqual(expected, checksum)) {
                    throw new CorruptObjectException("pack checksum mismatch: the pack is corrupt or truncated");
                }
                file.write(checksum);
                e.link();
                return e;
            } finally {
                inflater.end();
            }
        }

        private void entry(Entries e, int i) throws IOException {
            e.offset[i] = offset;
            crc.reset();
            int c = readByte();
            int type = (c >> 4) & 7;
            long size = c & 15;
            int shift = 4;
            while ((c & 0x80) != 0) {
                c = readByte();
                size += (long) (c & 0x7f) << shift;
                shift += 7;
            }
            switch (type) {
                case Constants.OBJ_COMMIT, Constants.OBJ_TREE, Constants.OBJ_BLOB, Constants.OBJ_TAG -> { }
                case Constants.OBJ_OFS_DELTA -> {
                    c = readByte();
                    long back = c & 0x7f;
                    while ((c & 0x80) != 0) {
                        c = readByte();
                        back = ((back + 1) << 7) | (c & 0x7f);
                    }
                    long base = e.offset[i] - back;
                    if (back <= 0 || base < HEADER) {
                        throw new CorruptObjectException("delta at offset " + e.offset[i] + " points outside the pack");
                    }
                    e.baseOffset[i] = base;
                }
                case Constants.OBJ_REF_DELTA -> {
                    byte[] id = new byte[Constants.OBJECT_ID_LENGTH];
                    for (int k = 0; k < id.length; k++) {
                        id[k] = (byte) readByte();
                    }
                    e.baseId[i] = ObjectId.fromRaw(id);
                }
                default -> throw new CorruptObjectException("unknown object type " + type + " at offset " + e.offset[i]);
            }
            if (size > Integer.MAX_VALUE - 16) {
                throw new CorruptObjectException("object at offset " + e.offset[i] + " is too large (" + size + " bytes)");
            }
            e.type[i] = type;
            e.size[i] = size;
            e.dataStart[i] = offset;
            skipDeflated(e.offset[i], size);
            e.crc[i] = (int) crc.getValue();
        }

        /** Consumes one zlib stream that must inflate to exactly {@code size} bytes. */
        private void skipDeflated(long at, long size) throws IOException {
            inflater.reset();
            long total = 0;
            try {
                while (!inflater.finished()) {
                    if (pos == end && fill() <= 0) {
                        throw new EOFException("pack ends inside the object at offset " + at);
                    }
                    int avail = end - pos;
                    inflater.setInput(buf, pos, avail);
                    int n = inflater.inflate(scratch);
                    total += n;
                    consume(avail - inflater.getRemaining());
                    if (n == 0 && inflater.needsDictionary()) {
                        throw new CorruptObjectException("object at offset " + at + " needs a zlib dictionary");
                    }
                    if (total > size) {
                        break;
                    }
                }
            } catch (DataFormatException ex) {
                throw new CorruptObjectException("object at offset " + at + ": " + ex.getMessage());
            }
            if (total != size) {
                throw new CorruptObjectException("object at offset " + at + " inflates to " + total + " bytes, not "
                        + size);
            }
        }

        private byte[] take(int n) throws IOException {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) readByte();
            }
            return b;
        }

        private int readByte() throws IOException {
            if (pos == end && fill() <= 0) {
                throw new EOFException("pack ends early at offset " + offset);
            }
            int b = buf[pos] & 0xff;
            consume(1);
            return b;
        }

        /** A byte that is not part of the pack's checksum (the trailer). */
        private int readRaw() throws IOException {
            if (pos == end && fill() <= 0) {
                throw new EOFException("pack ends before its checksum");
            }
            return buf[pos++] & 0xff;
        }

        private void consume(int n) throws IOException {
            digest.update(buf, pos, n);
            crc.update(buf, pos, n);
            if (outLength + n > out.length) {
                flush();
            }
            if (n > out.length) {
                file.write(buf, pos, n);
            } else {
                System.arraycopy(buf, pos, out, outLength, n);
                outLength += n;
            }
            pos += n;
            offset += n;
        }

        private void flush() throws IOException {
            if (outLength > 0) {
                file.write(out, 0, outLength);
                outLength = 0;
            }
        }

        private int fill() throws IOException {
            pos = 0;
            end = Math.max(0, in.read(buf, 0, buf.length));
            return end;
        }

        private static long readUInt32(byte[] b, int at) {
            return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
        }
    }

    // PackParser's streaming callbacks: never called, {@link #parse} does the whole job itself.

    @Override
    protected void onStoreStream(byte[] raw, int pos, int len) {
        throw unused();
    }

    @Override
    protected void onObjectHeader(Source source, byte[] raw, int pos, int len) {
        throw unused();
    }

    @Override
    protected void onObjectData(Source source, byte[] raw, int pos, int len) {
        throw unused();
    }

    @Override
    protected void onInflatedObjectData(PackedObjectInfo obj, int typeCode, byte[] data) {
        throw unused();
    }

    @Override
    protected void onPackHeader(long objCnt) {
        throw unused();
    }

    @Override
    protected void onPackFooter(byte[] hash) {
        throw unused();
    }

    @Override
    protected boolean onAppendBase(int typeCode, byte[] data, PackedObjectInfo info) {
        throw unused();
    }

    @Override
    protected void onEndThinPack() {
        throw unused();
    }

    @Override
    protected ObjectTypeAndSize seekDatabase(PackedObjectInfo obj, ObjectTypeAndSize info) {
        throw unused();
    }

    @Override
    protected ObjectTypeAndSize seekDatabase(UnresolvedDelta delta, ObjectTypeAndSize info) {
        throw unused();
    }

    @Override
    protected int readDatabase(byte[] dst, int pos, int cnt) {
        throw unused();
    }

    @Override
    protected boolean checkCRC(int oldCRC) {
        throw unused();
    }

    @Override
    protected void onBeginWholeObject(long streamPosition, int type, long inflatedSize) {
        throw unused();
    }

    @Override
    protected void onEndWholeObject(PackedObjectInfo info) {
        throw unused();
    }

    @Override
    protected void onBeginOfsDelta(long deltaStreamPosition, long baseStreamPosition, long inflatedSize) {
        throw unused();
    }

    @Override
    protected void onBeginRefDelta(long deltaStreamPosition, AnyObjectId baseId, long inflatedSize) {
        throw unused();
    }

    private static IllegalStateException unused() {
        return new IllegalStateException("ParallelPackParser parses on its own; JGit's callbacks are not used");
    }

    /** Counts parses that took the parallel path (for tests). */
    static final AtomicInteger PARALLEL_PARSES = new AtomicInteger();
}
