package dev.burst.testsupport;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's headless Chromium driven by Selenium through Debian's {@code chromedriver}: nothing is
 * downloaded at run time (Selenium Manager is never asked). Where they are missing the browser
 * tests skip with a loud message, and fail under {@code CI=true}, where {@code .ci/run} installs them.
 */
public final class Chromium {
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    public static final Path BROWSER = Path.of("/usr/bin/chromium");

    private Chromium() {
    }

    public static void requireOrSkip(String testClass) {
        String why = !Files.isExecutable(DRIVER) ? DRIVER + " is missing (apt-get install chromium-driver)"
                : !Files.isExecutable(BROWSER) ? BROWSER + " is missing (apt-get install chromium)" : null;
        RequiredTool.requireOrSkip(testClass, "headless Chromium", why);
    }

    public static ChromeDriver start() {
        return start(false);
    }

    /** With {@code acceptSelfSigned}, a self-signed certificate (a test gateway's) is let through. */
    public static ChromeDriver start(boolean acceptSelfSigned) {
        ChromeOptions o = new ChromeOptions();
        o.setAcceptInsecureCerts(acceptSelfSigned);
        o.setBinary(BROWSER.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    /** Where screenshots go: {@code -Dburst.screenshots=DIR} (docs/images to refresh the README's), else target/screenshots. */
    public static Path screenshots() throws java.io.IOException {
        return Files.createDirectories(Path.of(System.getProperty("burst.screenshots", "target/screenshots")));
    }
}
