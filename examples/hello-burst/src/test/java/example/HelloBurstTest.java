package example;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HelloBurstTest {
    private static final long EXPECTED = 1000L * 1001 * 2001 / 6;

    @Test
    void sumsSquaresInThisJvm() throws Exception {
        assertEquals(EXPECTED, HelloBurst.run(false));
    }

    @Test
    void sumsSquaresOnWorkerProcesses() throws Exception {
        assertEquals(EXPECTED, HelloBurst.run(true));
    }
}
