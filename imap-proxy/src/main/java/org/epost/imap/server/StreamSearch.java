package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;

/** Case-insensitive (ASCII) substring search over a stream with a bounded buffer. */
final class StreamSearch {
    private static final int BUFFER = 16 * 1024;

    private StreamSearch() {
    }

    static boolean contains(InputStream in, byte[] needle) throws IOException {
        if (needle.length == 0) {
            return true;
        }
        byte[] n = lower(needle.clone(), needle.length);
        byte[] buf = new byte[Math.max(BUFFER, n.length * 2)];
        int have = 0;
        while (true) {
            int read = in.read(buf, have, buf.length - have);
            if (read < 0) {
                return false;
            }
            lower(buf, have, have + read);
            have += read;
            for (int i = 0; i + n.length <= have; i++) {
                int j = 0;
                while (j < n.length && buf[i + j] == n[j]) {
                    j++;
                }
                if (j == n.length) {
                    return true;
                }
            }
            int keep = Math.min(have, n.length - 1);
            System.arraycopy(buf, have - keep, buf, 0, keep);
            have = keep;
        }
    }

    private static byte[] lower(byte[] b, int len) {
        lower(b, 0, len);
        return b;
    }

    private static void lower(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] >= 'A' && b[i] <= 'Z') {
                b[i] = (byte) (b[i] + 32);
            }
        }
    }
}
