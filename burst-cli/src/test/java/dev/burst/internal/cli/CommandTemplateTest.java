package dev.burst.internal.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandTemplateTest {

    private static List<String> expand(List<String> template, String... values) {
        return new CommandTemplate(template).expand(new JobInput(7, List.of(values)));
    }

    @Test
    void replacementStringsFollowGnuParallel() {
        assertThat(expand(List.of("cp", "{}", "out/{/.}.bak", "{.}", "{/}", "{//}", "#{#}"), "data/a.b/file.tar.gz"))
                .containsExactly("cp", "data/a.b/file.tar.gz", "out/file.tar.bak", "data/a.b/file.tar", "file.tar.gz", "data/a.b", "#7");
        assertThat(expand(List.of("x", "{.}", "{//}"), "noext")).containsExactly("x", "noext", ".");
        assertThat(expand(List.of("x", "{.}"), "dir/.hidden")).containsExactly("x", "dir/.hidden");
        assertThat(expand(List.of("x", "{1}:{2/}", "{}"), "a", "d/b")).containsExactly("x", "a:b", "a d/b");
    }

    @Test
    void inputIsAppendedWithoutReplacementStringAndOtherBracesStay() {
        assertThat(expand(List.of("gzip", "-k"), "f.csv")).containsExactly("gzip", "-k", "f.csv");
        assertThat(expand(List.of("sh", "-c", "echo ${HOME} {x}"), "v")).containsExactly("sh", "-c", "echo ${HOME} {x}", "v");
        assertThat(expand(List.of("echo", "$x"), "a$1\\b")).containsExactly("echo", "$x", "a$1\\b");
        assertThat(expand(List.of("echo", "<{}>"), "a$1\\b")).containsExactly("echo", "<a$1\\b>");
    }

    @Test
    void badTemplatesAreNamed() {
        assertThatThrownBy(() -> new CommandTemplate(List.of())).hasMessageContaining("no command given");
        assertThatThrownBy(() -> new CommandTemplate(List.of(" "))).hasMessageContaining("blank");
        assertThatThrownBy(() -> new CommandTemplate(List.of("e", "{3.}")).checkGroupReferences(2))
                .hasMessageContaining("{3.}").hasMessageContaining("are 2 groups");
    }

    @Test
    void argumentsSplitAtSeparatorsIntoTheCartesianProduct() {
        MapArguments a = MapArguments.parse(List.of("echo", "{}", ":::", "a", "b", ":::", "1", "2", "3"));
        assertThat(a.template().words()).containsExactly("echo", "{}");
        assertThat(a.commandLineInputs()).extracting(JobInput::display)
                .containsExactly("a 1", "a 2", "a 3", "b 1", "b 2", "b 3");
        assertThat(a.commandLineInputs()).extracting(JobInput::number).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(MapArguments.parse(List.of("echo")).inputsOnCommandLine()).isFalse();
        assertThat(MapArguments.parse(List.of("echo", ":::", "a", ":::")).commandLineInputs()).isEmpty();
    }
}
