package dev.burst.internal.transport;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerRouteTest {
    @Test
    void ipv4IsItsNumbersJoinedByHyphens() {
        WorkerRoute route = WorkerRoute.of(BurstAddress.parse("burst://127.0.0.1:41234"));
        assertThat(route.label()).isEqualTo("w-127-0-0-1-41234");
        assertThat(WorkerRoute.decode("w-127-0-0-1-41234")).isEqualTo(route);
        assertThat(route.address()).isEqualTo(new BurstAddress("127.0.0.1", 41234));
        assertThat(WorkerRoute.of(BurstAddress.parse("10.250.0.9:1")).label()).isEqualTo("w-10-250-0-9-1");
    }

    @Test
    void ipv6IsEightGroupsAfterV6() {
        WorkerRoute loopback = WorkerRoute.of(BurstAddress.parse("burst://[::1]:8786"));
        assertThat(loopback.label()).isEqualTo("w-v6-0-0-0-0-0-0-0-1-8786");
        assertThat(loopback.host()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(WorkerRoute.decode(loopback.label())).isEqualTo(loopback);
        assertThat(WorkerRoute.decode(loopback.label()).address()).isEqualTo(new BurstAddress("0:0:0:0:0:0:0:1", 8786));
        WorkerRoute full = WorkerRoute.of(BurstAddress.parse("[2001:DB8:0:0:ABCD:0012:ffff:1]:65535"));
        assertThat(full.label()).isEqualTo("w-v6-2001-db8-0-0-abcd-12-ffff-1-65535").hasSizeLessThanOrEqualTo(63);
        // the longest IPv6 label still fits one DNS label
        assertThat(new WorkerRoute("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535).label())
                .hasSizeLessThanOrEqualTo(WorkerRoute.MAX_LABEL_LENGTH);
        // spellings of one address are one worker
        assertThat(new WorkerRoute("0::1", 8786)).isEqualTo(loopback);
        assertThat(new WorkerRoute("[::1]", 8786)).isEqualTo(loopback);
        assertThat(new WorkerRoute("::ffff:10.0.0.1", 80).label()).isEqualTo("w-10-0-0-1-80");
        assertThatThrownBy(() -> new WorkerRoute("fe80::1%eth0", 80)).hasMessageContaining("zone");
    }

    @Test
    void hostNamesEscapeDotsHyphensAndUnderscores() {
        WorkerRoute node = WorkerRoute.of(BurstAddress.parse("burst://Node-7.Example.org:41234"));
        assertThat(node.label()).isEqualTo("w-h-node-h7-dexample-dorg-41234");
        assertThat(node.host()).isEqualTo("node-7.example.org");
        assertThat(WorkerRoute.decode(node.label())).isEqualTo(node);
        for (String host : List.of("localhost", "a", "a-.b", "a.-b", "a--b", "x_y.z", "_x", "n1", "1n", "a.b.c.d.e")) {
            WorkerRoute route = new WorkerRoute(host, 1234);
            assertThat(route.label()).as(host).matches("w-[a-z0-9-]*[a-z0-9]");
            assertThat(WorkerRoute.decode(route.label())).as(host).isEqualTo(route);
        }
        // "a-.b" and "a.-b" must not collide: every '-' in a name's encoding starts an escape
        assertThat(new WorkerRoute("a-.b", 1).label()).isNotEqualTo(new WorkerRoute("a.-b", 1).label());
    }

    @Test
    void randomAddressesRoundTrip() {
        Random random = new Random(7);
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-";
        for (int i = 0; i < 5_000; i++) {
            WorkerRoute route;
            int port = 1 + random.nextInt(65535);
            switch (random.nextInt(3)) {
                case 0 -> route = new WorkerRoute(random.nextInt(256) + "." + random.nextInt(256) + "."
                        + random.nextInt(256) + "." + random.nextInt(256), port);
                case 1 -> {
                    StringBuilder v6 = new StringBuilder();
                    for (int g = 0; g < 8; g++) {
                        v6.append(g == 0 ? "" : ":").append(Integer.toHexString(random.nextInt(65536)));
                    }
                    route = new WorkerRoute(v6.toString(), port);
                }
                default -> {
                    StringBuilder name = new StringBuilder("n");
                    for (int c = random.nextInt(12); c > 0; c--) {
                        name.append(alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    route = new WorkerRoute(name.append('z').toString(), port);
                }
            }
            assertThat(route.label()).matches("w-[a-z0-9-]+").hasSizeLessThanOrEqualTo(63);
            assertThat(WorkerRoute.decode(route.label())).isEqualTo(route);
        }
    }

    @Test
    void badLabelsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> WorkerRoute.decode("c-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'c-1'").hasMessageContaining("does not start with 'w-'");
        assertThatThrownBy(() -> WorkerRoute.decode(null)).hasMessageContaining("does not start with 'w-'");
        assertThatThrownBy(() -> WorkerRoute.decode("w-41234")).hasMessageContaining("no host");
        assertThatThrownBy(() -> WorkerRoute.decode("w-127-0-0-1")).hasMessageContaining("neither an IPv4");
        assertThatThrownBy(() -> WorkerRoute.decode("w-127-0-0-1-0")).hasMessageContaining("not a port");
        assertThatThrownBy(() -> WorkerRoute.decode("w-127-0-0-1-65536")).hasMessageContaining("not a port");
        assertThatThrownBy(() -> WorkerRoute.decode("w-127-0-0-1-080")).hasMessageContaining("not a port");
        assertThatThrownBy(() -> WorkerRoute.decode("w-127-0-0-1-")).hasMessageContaining("not a port");
        assertThatThrownBy(() -> WorkerRoute.decode("w-256-0-0-1-80")).hasMessageContaining("Bad IPv4");
        assertThatThrownBy(() -> WorkerRoute.decode("w-127-00-0-1-80")).hasMessageContaining("neither an IPv4");
        assertThatThrownBy(() -> WorkerRoute.decode("w-1-2-3-80")).hasMessageContaining("neither an IPv4");
        assertThatThrownBy(() -> WorkerRoute.decode("w-v6-0-0-1-80")).hasMessageContaining("eight groups");
        assertThatThrownBy(() -> WorkerRoute.decode("w-v6-0-0-0-0-0-0-0-01-80")).hasMessageContaining("canonical");
        assertThatThrownBy(() -> WorkerRoute.decode("w-v6-0-0-0-0-0-0-0-fffff-80")).hasMessageContaining("IPv6 group");
        assertThatThrownBy(() -> WorkerRoute.decode("w-h-a-xb-80")).hasMessageContaining("'-x'");
        assertThatThrownBy(() -> WorkerRoute.decode("w-h--80")).hasMessageContaining("no host name");
        assertThatThrownBy(() -> WorkerRoute.decode("w-h-1-d2-d3-d4-80")).hasMessageContaining("canonical");
        assertThatThrownBy(() -> WorkerRoute.decode("w-h-" + "a".repeat(60) + "-80")).hasMessageContaining("longer than a DNS label");
        assertThatThrownBy(() -> new WorkerRoute("node.example.org", 0)).hasMessageContaining("Bad worker port 0");
        assertThatThrownBy(() -> new WorkerRoute("a".repeat(60), 80))
                .hasMessageContaining("more than one DNS label holds").hasMessageContaining("IP address");
        assertThatThrownBy(() -> new WorkerRoute("127.000.0.1", 80)).hasMessageContaining("Ambiguous");
        assertThatThrownBy(() -> new WorkerRoute("a b", 80)).hasMessageContaining("'a b'");
    }
}
