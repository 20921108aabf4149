/**
 * Fixtures that tests of several modules share: headless Chromium through Selenium
 * ({@link dev.burst.testsupport.Chromium}) and a kubelet for fabric8's mock API server that runs
 * pods' workers as real JVMs ({@link dev.burst.testsupport.TestKubelet}), and what a test does when a
 * real program it needs is missing ({@link dev.burst.testsupport.RequiredTool}).
 *
 * <p>Test scope only: no main module depends on it, and it depends on no Burst module, so a build
 * that skips tests ({@code bin/burst demo}, the bench scripts) never needs a test jar. It replaces
 * the test-jars of {@code burst-dashboard} and {@code burst-kubernetes}, which such a build never
 * makes.
 */
package dev.burst.testsupport;
