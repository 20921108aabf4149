package dev.burst.internal.resources;

import java.util.Locale;

/** Memory sizes as people write them: {@code 512m}, {@code 8g}, {@code 1.5g}, {@code 1048576}. */
public final class MemorySize {
    private MemorySize() {
    }

    /**
     * Bytes in {@code text}; units k, m, g, t (powers of 1024, optional trailing "b" or "ib").
     *
     * @param what the setting's name, for the error message
     * @throws IllegalArgumentException naming the setting and the value when it is not a size > 0
     */
    public static long parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " must be a size like 512m or 4g, got " + (text == null ? "null" : "''"));
        }
        String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> { }
        }
        String number = unit == 1 ? t : t.substring(0, t.length() - 1);
        double value;
        try {
            value = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a size like 512m or 4g, got '" + text + "'");
        }
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be greater than 0, got '" + text + "'");
        }
        return (long) (value * unit);
    }
}
