package dev.burst.internal.transport;

import com.google.protobuf.ByteString;
import dev.burst.internal.protocol.ObjectCodec;
import dev.burst.internal.task.TaskCall.TaskArguments;

import java.nio.ByteBuffer;

/**
 * A task's {@link TaskArguments} as bytes, with short forms for the two shapes nearly all tasks
 * have: a map's one constant input, and a reduction's dependency results only. Both skip
 * serializing the record itself, and the second carries no user object, so a worker may decode it
 * once and share it between tasks ({@link #isShareable}).
 */
public final class ArgumentsCodec {
    private static final byte GENERAL = 0;
    private static final byte INPUTS = 1;
    private static final byte ONE_CONSTANT = 2;

    private ArgumentsCodec() {
    }

    public static ByteString encode(TaskArguments a, ObjectCodec codec) {
        if (a.isAllInputs()) {
            ByteBuffer b = ByteBuffer.allocate(1 + 4 * a.inputIndex().length).put(INPUTS);
            for (int i : a.inputIndex()) {
                b.putInt(i);
            }
            return ByteString.copyFrom(b.array());
        }
        if (a.inputIndex().length == 1) { // one parameter, and not an input: a constant
            return ByteString.copyFrom(new byte[] {ONE_CONSTANT}).concat(codec.encode(a.constants()[0]));
        }
        return ByteString.copyFrom(new byte[] {GENERAL}).concat(codec.encode(a));
    }

    public static TaskArguments decode(ByteString bytes, ObjectCodec codec) {
        if (bytes.isEmpty()) {
            throw new IllegalArgumentException("a task came with no arguments");
        }
        return switch (bytes.byteAt(0)) {
            case INPUTS -> {
                ByteBuffer b = bytes.substring(1).asReadOnlyByteBuffer();
                int[] index = new int[b.remaining() / 4];
                for (int i = 0; i < index.length; i++) {
                    index[i] = b.getInt();
                }
                yield TaskArguments.inputs(index);
            }
            case ONE_CONSTANT -> TaskArguments.constant(codec.decode(bytes.substring(1)));
            case GENERAL -> (TaskArguments) codec.decode(bytes.substring(1));
            default -> throw new IllegalArgumentException("unknown arguments form " + bytes.byteAt(0));
        };
    }

    /** True when the decoded arguments hold no user object, so tasks may share one decoded copy. */
    public static boolean isShareable(ByteString bytes) {
        return !bytes.isEmpty() && bytes.byteAt(0) == INPUTS;
    }
}
