package dev.burst.internal.gateway.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger on embedded H2 (the gateway's default), including a reopen of the same file. */
class H2LedgerTest extends LedgerContract {
    @TempDir
    Path dir;

    @Override
    GatewayDatabase open() {
        return GatewayDatabase.openH2(dir);
    }

    @Test
    void recordsSurviveAReopen() {
        db.accounts().addUser("ivy", null, true, Limits.NONE, Budget.NONE, T0);
        db.close();
        db = GatewayDatabase.openH2(dir);
        assertThat(db.accounts().user("ivy")).hasValueSatisfying(u -> assertThat(u.admin()).isTrue());
    }
}
