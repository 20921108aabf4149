/**
 * The wire protocol's Java side: {@link dev.burst.internal.protocol.WireCodec} maps burst-core's
 * events and commands to the protobuf messages generated in {@code dev.burst.internal.protocol.wire},
 * and {@link dev.burst.internal.protocol.ObjectCodec} turns task functions, arguments, results and
 * exceptions into bytes (Apache Fory).
 *
 * <p>Depends on burst-core, protobuf, gRPC's generated stubs and Fory only: no sockets, channels,
 * threads or runtime classes; pure codecs.
 */
package dev.burst.internal.protocol;
