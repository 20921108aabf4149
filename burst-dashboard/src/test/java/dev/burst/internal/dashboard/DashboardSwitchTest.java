package dev.burst.internal.dashboard;

import dev.burst.LocalCluster;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard is there with this module on the class path, gone when turned off, and stops with its cluster. */
class DashboardSwitchTest {
    @Test
    void turnedOffThereIsNoDashboard() {
        System.setProperty("burst.dashboard", "off");
        try (LocalCluster cluster = LocalCluster.builder().workers(1).build()) {
            assertThat(cluster.dashboardUrl()).isEmpty();
            assertThat(cluster.toString()).doesNotContain("dashboard");
        } finally {
            System.clearProperty("burst.dashboard");
        }
    }

    @Test
    void theDashboardStopsWithItsCluster() throws Exception {
        String url;
        try (LocalCluster cluster = LocalCluster.builder().workers(1).build()) {
            url = cluster.dashboardUrl().orElseThrow();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(302); // the token goes into a cookie, the page follows
        }
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.net.ConnectException.class);
    }
}
