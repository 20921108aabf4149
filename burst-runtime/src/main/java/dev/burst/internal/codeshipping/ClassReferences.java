package dev.burst.internal.codeshipping;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The classes a class file names in its constant pool: its class entries and the {@code L...;}
 * types in its descriptors and signatures. What {@link InMemoryClasses} follows to find every
 * in-memory class a task needs.
 *
 * <p>Written by hand: a constant pool is a flat list of tagged entries (JVMS §4.4), and reading
 * it needs no more than this; the JDK's class-file API is newer than the Java (21) Burst runs on.
 */
final class ClassReferences {
    private ClassReferences() {
    }

    /**
     * Binary names ({@code a.b.C$D}) of the classes {@code classFile} refers to, array types
     * reduced to their element class.
     *
     * @throws IllegalArgumentException if it is not a class file
     */
    static Set<String> of(byte[] classFile) {
        Set<String> names = new LinkedHashSet<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file (no CAFEBABE)");
            }
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNameIndex = new int[count];
            int classes = 0;
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();                          // Utf8
                    case 7 -> classNameIndex[classes++] = in.readUnsignedShort(); // Class
                    case 8, 16, 19, 20 -> in.readUnsignedShort();              // String, MethodType, Module, Package
                    case 3, 4 -> in.readInt();                                  // Integer, Float
                    case 5, 6 -> {                                              // Long, Double: two slots
                        in.readLong();
                        i++;
                    }
                    case 9, 10, 11, 12, 17, 18 -> in.readInt();                // refs, NameAndType, Dynamic, InvokeDynamic
                    case 15 -> {                                                // MethodHandle
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at entry " + i);
                }
            }
            for (int c = 0; c < classes; c++) {
                String n = utf8[classNameIndex[c]];
                if (n != null) {
                    addInternal(names, n);
                }
            }
            for (String u : utf8) {
                if (u != null && u.indexOf('L') >= 0 && u.indexOf(';') > 0) {
                    addDescriptorTypes(names, u);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated class file: " + e.getMessage(), e);
        }
        return names;
    }

    /** A Class entry: {@code a/b/C} or an array descriptor {@code [[La/b/C;}. */
    private static void addInternal(Set<String> names, String internal) {
        if (internal.startsWith("[")) {
            addDescriptorTypes(names, internal);
        } else {
            names.add(internal.replace('/', '.'));
        }
    }

    /** Every {@code L...;} in a descriptor or signature (generic arguments end a name at '<' too). */
    private static void addDescriptorTypes(Set<String> names, String descriptor) {
        int i = 0;
        while ((i = descriptor.indexOf('L', i)) >= 0) {
            int end = i + 1;
            while (end < descriptor.length() && ";<>.:()[".indexOf(descriptor.charAt(end)) < 0) {
                end++;
            }
            if (end < descriptor.length() && end > i + 1 && (descriptor.charAt(end) == ';' || descriptor.charAt(end) == '<')) {
                String name = descriptor.substring(i + 1, end);
                if (name.indexOf('/') >= 0 || name.indexOf('$') >= 0 || Character.isUpperCase(name.charAt(0))) {
                    names.add(name.replace('/', '.'));
                }
            }
            i = end;
        }
    }
}
