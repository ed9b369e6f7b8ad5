package dev.nightshift.api;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the type names a compiled class refers to, straight from its constant pool: class
 * entries, and every descriptor or generic signature (fields, methods, records' components,
 * annotations). No bytecode library, so sdk-api's tests need nothing but the JDK.
 */
final class ClassReferences {
    private static final Pattern DESCRIPTOR_TYPE = Pattern.compile("L([A-Za-z_$][\\w$]*(?:/[A-Za-z_$][\\w$]*)+)[;<]");

    private ClassReferences() {
    }

    /** Binary names (dots) of every type {@code classFile} refers to. */
    static Set<String> of(Path classFile) {
        try (InputStream raw = Files.newInputStream(classFile);
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file: " + classFile);
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classIndexes = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classIndexes.add(in.readUnsignedShort());
                    case 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IllegalArgumentException("unknown constant tag " + tag + " in " + classFile);
                }
            }
            Set<String> names = new TreeSet<>();
            for (int idx : classIndexes) {
                String name = utf8[idx];
                // array classes look like "[Ljava/lang/String;"
                if (name.startsWith("[")) {
                    addDescriptorTypes(name, names);
                } else {
                    names.add(name.replace('/', '.'));
                }
            }
            for (String s : utf8) {
                if (s != null) {
                    addDescriptorTypes(s, names);
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addDescriptorTypes(String s, Set<String> names) {
        Matcher m = DESCRIPTOR_TYPE.matcher(s);
        while (m.find()) {
            names.add(m.group(1).replace('/', '.'));
        }
    }

    /** Every {@code .class} file under {@code dir}. */
    static List<Path> classFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
