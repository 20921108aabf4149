package dev.burst.internal.transport;

import dev.burst.internal.protocol.ObjectCodec;
import dev.burst.internal.task.TaskCall.TaskArguments;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ArgumentsCodecTest {
    private final ObjectCodec codec = new ObjectCodec(getClass().getClassLoader());

    @Test
    void everyShapeRoundTrips() {
        for (TaskArguments a : List.of(TaskArguments.none(), TaskArguments.inputs(0, 1), TaskArguments.inputs(0, 0),
                TaskArguments.constant(42), TaskArguments.constant(null), TaskArguments.constant(List.of("x", 2)),
                new TaskArguments(new Object[] {"c", null}, new int[] {-1, 0}))) {
            assertThat(ArgumentsCodec.decode(ArgumentsCodec.encode(a, codec), codec)).as("%s", a).isEqualTo(a);
        }
    }

    @Test
    void onlyArgumentsWithoutUserObjectsAreShared() {
        assertThat(ArgumentsCodec.isShareable(ArgumentsCodec.encode(TaskArguments.inputs(0, 1), codec))).isTrue();
        assertThat(ArgumentsCodec.isShareable(ArgumentsCodec.encode(TaskArguments.constant(new int[] {1}), codec))).isFalse();
        assertThat(ArgumentsCodec.isShareable(ArgumentsCodec.encode(
                new TaskArguments(new Object[] {"c", null}, new int[] {-1, 0}), codec))).isFalse();
    }
}
