package dev.nightshift.machine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exec-server protocol of {@code execd.pl} ({@link ExecServerClient#SCRIPT}): every frame is a big-endian u32 length of what follows, a type byte, a u32 exec id
 * and the payload. In: {@code X} exec (fields, each a u32 length and bytes: user, workdir,
 * has-stdin, stdin, env count, {@code K=V}..., argv...), {@code K} kill. Out: {@code R} ready,
 * {@code O}/{@code E} output chunks, {@code X} exit ({@code "code signal oom"}), {@code F} failed.
 *
 * <p>Thread-safety: the static encoders are stateless; a {@link Decoder} is for one reading thread.
 * Lifecycle: a decoder lives as long as its stream.
 */
public final class ExecFrames {
    private ExecFrames() {
    }

    /** Receives decoded frames; {@code b[off, off + len)} is valid only during the call. */
    public interface Handler {
        /** One frame of {@code type} for exec {@code id}, its payload {@code b[off, off + len)}. */
        void frame(char type, int id, byte[] b, int off, int len);
    }

    /**
     * An exec request: run {@code argv} as {@code user} in {@code workdir} ({@code null}: the
     * user's default) with {@code stdin} ({@code null}: none) and {@code env} ({@code K=V}).
     */
    public static byte[] exec(int id, String user, String workdir, byte[] stdin, List<String> env, List<String> argv) {
        List<byte[]> fields = new ArrayList<>();
        fields.add(utf8(user));
        fields.add(utf8(workdir == null ? "" : workdir));
        fields.add(utf8(stdin == null ? "0" : "1"));
        fields.add(stdin == null ? new byte[0] : stdin);
        fields.add(utf8(Integer.toString(env.size())));
        env.forEach(v -> fields.add(utf8(v)));
        argv.forEach(a -> fields.add(utf8(a)));
        int size = 0;
        for (byte[] f : fields) {
            size += 4 + f.length;
        }
        byte[] frame = Arrays.copyOf(header('X', id, size), 9 + size);
        int o = 9;
        for (byte[] f : fields) {
            putInt(frame, o, f.length);
            System.arraycopy(f, 0, frame, o + 4, f.length);
            o += 4 + f.length;
        }
        return frame;
    }

    /** A request to kill exec {@code id}'s process group. */
    public static byte[] kill(int id) {
        return header('K', id, 0);
    }

    /** A frame as the server writes it (tests and diagnostics). */
    public static byte[] frame(char type, int id, byte[] payload) {
        byte[] f = Arrays.copyOf(header(type, id, payload.length), 9 + payload.length);
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] header(char type, int id, int payload) {
        byte[] h = new byte[9];
        putInt(h, 0, 5 + payload);
        h[4] = (byte) type;
        putInt(h, 5, id);
        return h;
    }

    static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static int getInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    /**
     * Cuts a byte stream into frames, whatever the chunking of the transport (a frame may arrive
     * in many pieces, many frames in one).
     */
    public static final class Decoder {
        private final int initial;
        private byte[] buf;
        private int len;

        /** A decoder with a 64 KiB buffer. */
        public Decoder() {
            this(1 << 16);
        }

        /** A decoder whose buffer starts at (and shrinks back to) {@code initialCapacity} bytes. */
        public Decoder(int initialCapacity) {
            if (initialCapacity < 9) {
                throw new IllegalArgumentException("a decoder's buffer holds at least one header (9 bytes): " + initialCapacity);
            }
            initial = initialCapacity;
            buf = new byte[initialCapacity];
        }

        /** Feeds bytes; complete frames go to {@code handler}. A bad length is an {@link IllegalStateException}. */
        public void feed(byte[] b, int off, int n, Handler handler) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
            System.arraycopy(b, off, buf, len, n);
            len += n;
            int o = 0;
            while (len - o >= 4) {
                int size = getInt(buf, o);
                if (size < 5) {
                    throw new IllegalStateException("bad frame (length " + size + ")");
                }
                if (len - o < 4 + size) {
                    break;
                }
                handler.frame((char) buf[o + 4], getInt(buf, o + 5), buf, o + 9, size - 5);
                o += 4 + size;
            }
            System.arraycopy(buf, o, buf, 0, len - o);
            len -= o;
            if (len == 0 && buf.length > initial) {
                buf = new byte[initial];
            }
        }

        /** Bytes of an incomplete frame held back. */
        public int pending() {
            return len;
        }
    }
}
