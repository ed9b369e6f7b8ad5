package dev.nightshift.machine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exec-server frames: their layout, decoding whatever the transport's chunking, and bad input. */
class ExecFramesTest {

    @Test
    void anExecFrameCarriesLengthTypeIdAndLengthPrefixedFields() {
        byte[] f = ExecFrames.exec(7, "ubuntu", null, "in".getBytes(UTF_8), List.of("A=1"), List.of("echo", "hi"));
        assertThat(ExecFrames.getInt(f, 0)).isEqualTo(f.length - 4);
        assertThat((char) f[4]).isEqualTo('X');
        assertThat(ExecFrames.getInt(f, 5)).isEqualTo(7);
        List<String> fields = new ArrayList<>();
        for (int o = 9; o < f.length; ) {
            int n = ExecFrames.getInt(f, o);
            fields.add(new String(f, o + 4, n, UTF_8));
            o += 4 + n;
        }
        assertThat(fields).containsExactly("ubuntu", "", "1", "in", "1", "A=1", "echo", "hi");
        assertThat(ExecFrames.kill(3)).containsExactly(0, 0, 0, 5, 'K', 0, 0, 0, 3);
    }

    @Test
    void framesAreDecodedWhetherTheyArriveByteByByteOrManyAtOnce() {
        byte[] one = ExecFrames.frame('O', 1, "hello".getBytes(UTF_8));
        byte[] two = ExecFrames.frame('X', 1, "0 0 0".getBytes(UTF_8));
        byte[] both = new byte[one.length + two.length];
        System.arraycopy(one, 0, both, 0, one.length);
        System.arraycopy(two, 0, both, one.length, two.length);

        List<String> seen = new ArrayList<>();
        ExecFrames.Handler h = (type, id, b, off, len) -> seen.add(type + "" + id + ":" + new String(b, off, len, UTF_8));
        ExecFrames.Decoder bytewise = new ExecFrames.Decoder();
        for (byte b : both) {
            bytewise.feed(new byte[] {b}, 0, 1, h);
        }
        assertThat(seen).containsExactly("O1:hello", "X1:0 0 0");
        assertThat(bytewise.pending()).isZero();

        seen.clear();
        new ExecFrames.Decoder().feed(both, 0, both.length, h);
        assertThat(seen).containsExactly("O1:hello", "X1:0 0 0");

        seen.clear();
        ExecFrames.Decoder partial = new ExecFrames.Decoder();
        partial.feed(both, 0, one.length + 3, h);
        assertThat(seen).containsExactly("O1:hello");
        assertThat(partial.pending()).isEqualTo(3);
    }

    @Test
    void aFrameShorterThanItsHeaderIsRefused() {
        assertThatThrownBy(() -> new ExecFrames.Decoder().feed(new byte[] {0, 0, 0, 2, 'O', 0}, 0, 6, (t, i, b, o, l) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("length 2");
    }
}
