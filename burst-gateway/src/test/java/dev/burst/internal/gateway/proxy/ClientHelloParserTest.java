package dev.burst.internal.gateway.proxy;

import dev.burst.internal.gateway.proxy.ClientHelloParser.NeedMoreBytes;
import dev.burst.internal.gateway.proxy.ClientHelloParser.NoServerName;
import dev.burst.internal.gateway.proxy.ClientHelloParser.NotTls;
import dev.burst.internal.gateway.proxy.ClientHelloParser.Parsed;
import dev.burst.internal.gateway.proxy.ClientHelloParser.ServerName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static dev.burst.internal.gateway.proxy.ClientHellos.concat;
import static dev.burst.internal.gateway.proxy.ClientHellos.extension;
import static dev.burst.internal.gateway.proxy.ClientHellos.handMade;
import static dev.burst.internal.gateway.proxy.ClientHellos.sniExtension;
import static org.assertj.core.api.Assertions.assertThat;

class ClientHelloParserTest {
    private static final String NAME = "c-3f9a2b7c.cluster.burst";

    private static Parsed parse(byte[] bytes) {
        return ClientHelloParser.parse(bytes, bytes.length);
    }

    private static String whyNotTls(byte[] bytes) {
        Parsed parsed = parse(bytes);
        assertThat(parsed).isInstanceOf(NotTls.class);
        return ((NotTls) parsed).why();
    }

    @Test
    void aJdkClientHelloNamesItsServer() {
        assertThat(parse(ClientHellos.fromJdk(NAME))).isEqualTo(new ServerName(NAME));
        assertThat(parse(ClientHellos.fromJdk("W-127-0-0-1-41234.C-1.Cluster.Burst")))
                .isEqualTo(new ServerName("w-127-0-0-1-41234.c-1.cluster.burst"));
        assertThat(parse(ClientHellos.fromJdk(null))).isEqualTo(new NoServerName());
    }

    @Test
    void theJdkSendsThePeerHostAsSniOnlyWhenItHasADot() {
        // what a JDK-provider channel sends for its authority; grpc-netty-shaded's OpenSSL engine
        // follows the same rule (SniProxyClusterTest checks the real channel)
        assertThat(parse(ClientHellos.fromJdk(null, NAME))).isEqualTo(new ServerName(NAME));
        assertThat(parse(ClientHellos.fromJdk(null, "localhost"))).isEqualTo(new NoServerName());
        assertThat(parse(ClientHellos.fromJdk(null, "127.0.0.1"))).isEqualTo(new NoServerName());
    }

    @Test
    void everyPrefixOfAHelloNeedsMoreBytes() {
        byte[] hello = ClientHellos.fromJdk(NAME);
        for (int n = 0; n < hello.length; n++) {
            assertThat(ClientHelloParser.parse(hello, n)).as("%d of %d bytes", n, hello.length)
                    .isInstanceOf(NeedMoreBytes.class);
        }
        // bytes after the hello (an early client's next record) are not the parser's business
        byte[] more = Arrays.copyOf(hello, hello.length + 10);
        assertThat(parse(more)).isEqualTo(new ServerName(NAME));
    }

    @Test
    void aHelloCutIntoManyRecordsIsJoined() {
        byte[] hello = ClientHellos.fromJdk(NAME);
        for (int size : new int[] {1, 2, 3, 4, 5, 7, 64, 100, 1000}) {
            byte[] records = ClientHellos.inRecordsOf(hello, size);
            assertThat(parse(records)).as("records of %d bytes", size).isEqualTo(new ServerName(NAME));
            for (int n = 0; n < records.length; n += Math.max(1, size / 3)) {
                assertThat(ClientHelloParser.parse(records, n)).as("records of %d bytes, %d bytes in", size, n)
                        .isInstanceOf(NeedMoreBytes.class);
            }
        }
    }

    @Test
    void helloesWithoutAHostNameHaveNoServerName() {
        assertThat(parse(handMade(0, 2, 1, null))).isEqualTo(new NoServerName());
        assertThat(parse(handMade(32, 4, 1, new byte[0]))).isEqualTo(new NoServerName());
        assertThat(parse(handMade(0, 2, 1, extension(23, new byte[0])))).isEqualTo(new NoServerName());
        assertThat(parse(handMade(0, 2, 1, sniExtension(1, "not-a-host-name")))).isEqualTo(new NoServerName());
        assertThat(parse(handMade(0, 2, 1, concat(extension(10, new byte[] {0, 2, 0, 29}), sniExtension(0, "a.b")))))
                .isEqualTo(new ServerName("a.b"));
        // the first host_name counts
        assertThat(parse(handMade(0, 2, 1, sniExtension(0, "first.example", "second.example"))))
                .isEqualTo(new ServerName("first.example"));
    }

    @Test
    void otherProtocolsAreNotTls() {
        byte[] get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(whyNotTls(get)).contains("0x47");
        assertThat(ClientHelloParser.looksLikeHttp(get, get.length)).isTrue();
        assertThat(ClientHelloParser.looksLikeHttp(get, 3)).isFalse();
        byte[] ssh = "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parse(ssh)).isInstanceOf(NotTls.class);
        assertThat(ClientHelloParser.looksLikeHttp(ssh, ssh.length)).isFalse();
        assertThat(whyNotTls(new byte[] {(byte) 0x80, 0x2e, 0x01})).contains("0x80"); // an SSLv2 hello
        assertThat(whyNotTls(new byte[] {0x15, 3, 3, 0, 2, 2, 40})).contains("0x15"); // an alert
        assertThat(whyNotTls(new byte[] {0x16, 2})).contains("version");
        assertThat(whyNotTls(new byte[] {0x16, 2, 0, 0, 1, 1})).contains("version");
    }

    @Test
    void badLengthsAreRefusedWithTheReason() {
        assertThat(whyNotTls(new byte[] {0x16, 3, 1, 0x40, 0x01})).contains("16385 bytes");
        assertThat(whyNotTls(new byte[] {0x16, 3, 1, 0, 0})).contains("empty handshake record");
        assertThat(whyNotTls(ClientHellos.record(ClientHellos.handshake(2, new byte[40])))).contains("type 2");
        assertThat(whyNotTls(ClientHellos.record(ClientHellos.handshake(1, new byte[0])))).contains("empty ClientHello");
        assertThat(whyNotTls(ClientHellos.record(ClientHellos.handshake(1, new byte[20])))).contains("too short");
        assertThat(whyNotTls(handMade(33, 2, 1, null))).contains("session id of 33");
        assertThat(whyNotTls(handMade(0, 3, 1, null))).contains("cipher suite list of 3");
        assertThat(whyNotTls(handMade(0, 0, 1, null))).contains("cipher suite list of 0");
        assertThat(whyNotTls(handMade(0, 2, 0, null))).contains("no compression methods");
        byte[] sni = sniExtension(0, NAME);
        // the extensions' length says more (or less) than the message holds
        byte[] longer = handMade(0, 2, 1, sni);
        int extensionsLength = longer.length - sni.length - 2;
        longer[extensionsLength + 1]++;
        assertThat(whyNotTls(longer)).contains("extensions of");
        // one extension's length runs past the extensions
        byte[] overrun = handMade(0, 2, 1, concat(extension(10, new byte[4]), new byte[] {0, 23, 0, 9}));
        assertThat(whyNotTls(overrun)).contains("runs past the extensions");
        assertThat(whyNotTls(handMade(0, 2, 1, new byte[] {0, 0, 0}))).contains("extension header cut short");
        // inside server_name: the list's length, an entry's length, the name itself
        assertThat(whyNotTls(handMade(0, 2, 1, extension(0, new byte[] {0, 9, 0, 0, 1, 'a'})))).contains("server name list of 9");
        assertThat(whyNotTls(handMade(0, 2, 1, extension(0, new byte[] {0, 4, 0, 0, 9, 'a'})))).contains("runs past its list");
        assertThat(whyNotTls(handMade(0, 2, 1, extension(0, new byte[] {0, 2, 0, 0})))).contains("cut short");
        assertThat(whyNotTls(handMade(0, 2, 1, extension(0, new byte[] {0})))).contains("without its list length");
        assertThat(whyNotTls(handMade(0, 2, 1, sniExtension(0, "")))).contains("host name of 0 bytes");
        assertThat(whyNotTls(handMade(0, 2, 1, sniExtension(0, "a".repeat(256))))).contains("host name of 256 bytes");
        assertThat(whyNotTls(handMade(0, 2, 1, sniExtension(0, "a b.c")))).contains("0x20");
        assertThat(whyNotTls(handMade(0, 2, 1, sniExtension(0, "caf\u00e9.example")))).contains("0xe9");
        assertThat(whyNotTls(handMade(0, 2, 1, concat(sni, sni)))).contains("two server_name");
    }

    @Test
    void aClaimedHugeHelloWaitsWithoutAllocatingIt() {
        byte[] header = {0x16, 3, 1, 0x40, 0x00, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, 3, 3};
        assertThat(parse(header)).isInstanceOf(NeedMoreBytes.class);
    }

    @Test
    void noInputMakesItThrow() {
        Random random = new Random(42);
        byte[] hello = ClientHellos.fromJdk(NAME);
        byte[] split = ClientHellos.inRecordsOf(hello, 50);
        assertThat(ClientHelloParser.parse(null, 0)).isInstanceOf(NotTls.class);
        assertThat(ClientHelloParser.parse(hello, hello.length + 1)).isInstanceOf(NotTls.class);
        assertThat(ClientHelloParser.parse(hello, -1)).isInstanceOf(NotTls.class);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = (i % 2 == 0 ? hello : split).clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
            assertThat(ClientHelloParser.parse(bytes, length)).isNotNull();
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(600)];
            random.nextBytes(bytes);
            if (bytes.length > 2) {
                bytes[0] = 0x16;
                bytes[1] = 3;
            }
            assertThat(ClientHelloParser.parse(bytes, bytes.length)).isNotNull();
        }
    }
}
