package dev.nightshift.core.secrets;

import dev.nightshift.api.runtime.ExecListener;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An {@link ExecListener} that redacts a command's output before passing it on: stdout and
 * stderr are each decoded as UTF-8 (a character split across chunks is kept whole; malformed
 * bytes become U+FFFD), redacted by their own {@link StreamRedactor}, and handed to the
 * downstream listener as UTF-8. A secret split across chunks is still found, so the downstream
 * never sees it; the price is that up to {@code maxLength() - 1} characters wait for the next
 * chunk, released by {@link #flush()}.
 *
 * <p><b>Thread-safety:</b> follows the {@link ExecListener} contract (one runtime thread per exec,
 * never concurrently for one exec). <b>Lifecycle:</b> one per exec; call {@link #flush()} once the
 * exec has ended (it also flushes a downstream {@link ExecListener.LineListener}).
 *
 * <pre>{@code
 * RedactingExecListener l = new RedactingExecListener(resolved.redactor(), ExecListener.lines(recorder));
 * ExecResult r = machine.exec(ExecRequest.builder("bash", "-c", cmd).listener(l).build()).result().join();
 * l.flush();
 * }</pre>
 */
public final class RedactingExecListener implements ExecListener {
    private final ExecListener downstream;
    private final Channel out;
    private final Channel err;

    public RedactingExecListener(Redactor redactor, ExecListener downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        this.out = new Channel(redactor, true);
        this.err = new Channel(redactor, false);
    }

    @Override
    public void onStdout(byte[] bytes, int offset, int length) {
        out.write(bytes, offset, length, false);
    }

    @Override
    public void onStderr(byte[] bytes, int offset, int length) {
        err.write(bytes, offset, length, false);
    }

    /** Releases what is held back on both streams, then flushes a downstream line listener. */
    public void flush() {
        out.write(new byte[0], 0, 0, true);
        err.write(new byte[0], 0, 0, true);
        if (downstream instanceof ExecListener.LineListener lines) {
            lines.flush();
        }
    }

    private final class Channel {
        private final StreamRedactor redactor;
        private final boolean stdout;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        /** Bytes of an incomplete character carried to the next chunk (at most 3). */
        private ByteBuffer carry = ByteBuffer.allocate(0);
        private CharBuffer chars = CharBuffer.allocate(8192);

        Channel(Redactor redactor, boolean stdout) {
            this.redactor = redactor.stream();
            this.stdout = stdout;
        }

        void write(byte[] bytes, int offset, int length, boolean end) {
            ByteBuffer in;
            if (carry.hasRemaining()) {
                in = ByteBuffer.allocate(carry.remaining() + length).put(carry).put(bytes, offset, length).flip();
            } else {
                in = ByteBuffer.wrap(bytes, offset, length);
            }
            if (chars.capacity() < length + 8) {
                chars = CharBuffer.allocate(length + 8);
            }
            chars.clear();
            CoderResult r = decoder.decode(in, chars, end);
            if (r.isOverflow()) {
                throw new IllegalStateException("decoder overflow"); // cannot happen: chars >= bytes
            }
            if (end) {
                decoder.flush(chars);
                decoder.reset();
            }
            carry = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
            chars.flip();
            String text = redactor.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            if (end) {
                text = text + redactor.flush();
            }
            if (!text.isEmpty()) {
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                if (stdout) {
                    downstream.onStdout(utf8, 0, utf8.length);
                } else {
                    downstream.onStderr(utf8, 0, utf8.length);
                }
            }
        }
    }
}
