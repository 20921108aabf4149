package dev.burst.internal.codeshipping;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The SHA-256 content hashes that name classpath blobs: lower-case hex, 64 digits. */
final class Sha256 {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The hash of a file's content, read in a stream. */
    static String ofFile(Path file) throws IOException {
        MessageDigest digest = digest();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return hex(digest);
    }

    static boolean isValid(String sha256) {
        return sha256 != null && HEX.matcher(sha256).matches();
    }

    /**
     * {@code sha256} itself when it is one; it names files, so anything else (a path, upper case) is refused.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    static String require(String sha256) {
        if (!isValid(sha256)) {
            throw new IllegalArgumentException("not a SHA-256 in lower-case hex: '" + sha256 + "'");
        }
        return sha256;
    }
}
