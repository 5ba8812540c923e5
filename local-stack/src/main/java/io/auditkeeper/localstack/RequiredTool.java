package io.auditkeeper.localstack;

import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

import java.util.Map;

/**
 * A command-line tool a test runs (promtool, openssl, Compose, kubectl): where it is missing the test is skipped on a
 * developer's machine, but fails in CI (the environment variable {@code CI} set, as CI systems do), where a skip would
 * let a green run hide a property nobody checked. {@code ./auditkeeper} installs each tool it can.
 */
public final class RequiredTool {
    private RequiredTool() {
    }

    /**
     * Returns when {@code installed}; otherwise fails the test if {@code CI} is set, else skips it.
     *
     * @param tool the command, e.g. {@code promtool}
     * @param install how to get it, e.g. {@code apt-get install prometheus (./auditkeeper does)}
     */
    public static void assumeInstalled(boolean installed, String tool, String install) {
        check(installed, tool, install, System.getenv());
    }

    static void check(boolean installed, String tool, String install, Map<String, String> env) {
        if (installed) {
            return;
        }
        String missing = tool + " is not installed (" + install + ")";
        if (inCi(env)) {
            throw new AssertionFailedError(missing + ": CI is set, so this test fails instead of being skipped");
        }
        Assumptions.abort(missing + ": test skipped (with CI set it fails)");
    }

    /** {@code CI} set to anything but empty, {@code false} or {@code 0}. */
    static boolean inCi(Map<String, String> env) {
        String ci = env.get("CI");
        return ci != null && !ci.isBlank() && !ci.trim().equalsIgnoreCase("false") && !ci.trim().equals("0");
    }
}
