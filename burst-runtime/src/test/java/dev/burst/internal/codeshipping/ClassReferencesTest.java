package dev.burst.internal.codeshipping;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassReferencesTest {
    record Inner(List<Map<String, Integer>> values, ClassReferencesTest[] back) {
        Object make() {
            return new java.util.concurrent.atomic.AtomicLong(values.size());
        }
    }

    static byte[] classFile(Class<?> c) throws Exception {
        try (InputStream in = c.getResourceAsStream("/" + c.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void namesTheClassesOfEntriesDescriptorsSignaturesAndArrays() throws Exception {
        var names = ClassReferences.of(classFile(Inner.class));
        assertThat(names).contains(Inner.class.getName(), "java.util.List", "java.util.Map", "java.lang.Integer",
                ClassReferencesTest.class.getName(), "java.util.concurrent.atomic.AtomicLong", "java.lang.Record");
        assertThat(names).allSatisfy(n -> assertThat(n).doesNotContain("/").doesNotContain(";").doesNotStartWith("["));
    }

    @Test
    void aFileThatIsNoClassIsRefused() {
        assertThatThrownBy(() -> ClassReferences.of(new byte[]{1, 2, 3, 4})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a class file");
        assertThatThrownBy(() -> ClassReferences.of(new byte[]{(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }

    @Test
    void classesOnTheClasspathAreNotShippedButTheirInMemoryNeighboursAre() throws Exception {
        assertThat(InMemoryClasses.reachableFrom(List.of(Inner.class, String.class)).classes()).isEmpty();
    }
}
