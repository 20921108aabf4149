package dev.burst.internal.codeshipping;

import java.io.IOException;

/** A blob whose content does not hash to the name it arrived under; it is never stored. */
final class BlobMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    BlobMismatchException(String expected, String actual, long bytes) {
        super("blob " + expected + " refused: its " + bytes + " bytes hash to " + actual
                + " (corrupted in transit, or the file changed while it was sent)");
    }
}
