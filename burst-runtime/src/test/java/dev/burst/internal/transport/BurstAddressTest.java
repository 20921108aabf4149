package dev.burst.internal.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BurstAddressTest {
    @Test
    void parsesBurstUrlsAndBareHostPorts() {
        assertThat(BurstAddress.parse("burst://sched.example.org:8786")).isEqualTo(new BurstAddress("sched.example.org", 8786));
        assertThat(BurstAddress.parse("127.0.0.1:1")).isEqualTo(new BurstAddress("127.0.0.1", 1));
        assertThat(BurstAddress.parse("  BURST://node-7:65535/ ")).isEqualTo(new BurstAddress("node-7", 65535));
    }

    @Test
    void ipv6NeedsBracketsAndKeepsThemInItsForms() {
        BurstAddress a = BurstAddress.parse("burst://[::1]:8786");
        assertThat(a.host()).isEqualTo("::1");
        assertThat(a.port()).isEqualTo(8786);
        assertThat(a.hostPort()).isEqualTo("[::1]:8786");
        assertThat(a).hasToString("burst://[::1]:8786");
        assertThat(BurstAddress.parse("[fe80::1%eth0]:9").host()).isEqualTo("fe80::1%eth0");
        assertThat(a.fileName()).isEqualTo("__1-8786");
    }

    @Test
    void toStringRoundTrips() {
        BurstAddress a = new BurstAddress("localhost", 8786);
        assertThat(a).hasToString("burst://localhost:8786");
        assertThat(a.hostPort()).isEqualTo("localhost:8786");
        assertThat(BurstAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "burst://", "localhost", "burst://localhost", "localhost:", ":8786",
            "http://localhost:8786", "localhost:80a", "localhost:0", "localhost:65536", "localhost:999999",
            "::1:8786", "[::1]", "[::1]8786", "[localhost]:1", "[::1:8786", "bad host:1", "a/b:1"})
    void refusesBadAddressesNamingTheInputAndTheExpectedForm(String text) {
        assertThatThrownBy(() -> BurstAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("expected burst://host:port");
    }

    @Test
    void refusesNullAndBadParts() {
        assertThatThrownBy(() -> BurstAddress.parse(null)).hasMessageContaining("expected burst://host:port");
        assertThatThrownBy(() -> new BurstAddress("localhost", 0)).hasMessageContaining("Bad port 0");
        assertThatThrownBy(() -> new BurstAddress("", 1)).hasMessageContaining("Bad host ''");
    }
}
