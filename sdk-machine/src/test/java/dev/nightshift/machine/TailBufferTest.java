package dev.nightshift.machine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TailBufferTest {
    @Test
    void keepsTheLastBytesAndCountsAll() {
        TailBuffer t = new TailBuffer(5);
        byte[] a = "hello ".getBytes(UTF_8);
        t.write(a, 0, a.length);
        byte[] b = "world".getBytes(UTF_8);
        t.write(b, 0, 2);
        t.write(b, 2, 3);
        assertThat(t.toString()).isEqualTo("world");
        assertThat(t.total()).isEqualTo(11);
        byte[] big = "0123456789".getBytes(UTF_8);
        t.write(big, 0, big.length);
        assertThat(t.toString()).isEqualTo("56789");
    }

    @Test
    void dropsAHalfCharacterAtTheCut() {
        TailBuffer t = new TailBuffer(3);
        byte[] b = "xé!".getBytes(UTF_8); // x, c3 a9, !
        t.write(b, 0, b.length);
        assertThat(t.total()).isEqualTo(4);
        assertThat(t.toString()).isEqualTo("é!");
        TailBuffer u = new TailBuffer(2);
        u.write(b, 0, b.length);
        assertThat(u.toString()).isEqualTo("!");
    }
}
