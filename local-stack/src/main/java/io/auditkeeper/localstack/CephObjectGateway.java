package io.auditkeeper.localstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An S3 endpoint with Object Lock that is really enforced: one Ceph monitor, one in-memory OSD and one radosgw on
 * loopback, started by shell scripts kept as resources of this class.
 *
 * <p>Ceph rather than an S3 mock because the archive's promise is that a COMPLIANCE-locked object cannot be deleted
 * or have its retention shortened; only a server that refuses those requests lets a test prove it. The daemons fork
 * away from the JVM, so they are tracked by the pid files under this gateway's own run directory: {@link #close()}
 * (and a JVM shutdown hook, for Ctrl-C) stops them, and a pid is only ever signalled when its command line names this
 * gateway's {@code ceph.conf}. Data lives in memory and is wiped at each start. The monitor and radosgw ports are
 * chosen free at start so that two runs on one machine never collide, and held ({@link Ports.Reservation}) by this JVM
 * until {@link #close()}: ceph-mon and radosgw bind them beside the reservation (both set {@code SO_REUSEADDR}), and
 * nothing else can take them before they do.
 *
 * <p>Layout of the work directory: {@code bin/} (the extracted scripts), {@code logs/scripts.log} (their output),
 * {@code cluster/} (Ceph's config, {@code run/} pid files and {@code log/} daemon logs).
 */
public final class CephObjectGateway implements AutoCloseable {
    /** What to run, as root, on Debian/Ubuntu when {@link #missingCommands()} is not empty. */
    public static final String INSTALL_COMMAND = "apt-get install -y radosgw ceph-mon ceph-osd";

    static final List<String> REQUIRED_COMMANDS =
        List.of("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "ceph-authtool", "monmaptool", "ceph");

    private static final Logger LOG = LoggerFactory.getLogger(CephObjectGateway.class);
    private static final String START = "ceph-rgw-start.sh";
    private static final String STOP = "ceph-rgw-stop.sh";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDir;
    private final Path clusterDir;
    private final Path logFile;
    private final int monPort;
    private final int rgwPort;
    private final List<Ports.Reservation> ports;
    private final String accessKey;
    private final String secretKey;
    private final Set<Long> daemonPids = new LinkedHashSet<>();
    private final Thread shutdownHook;
    private boolean closed;

    private CephObjectGateway(Path workDir, List<Ports.Reservation> ports, String accessKey, String secretKey) {
        this.workDir = workDir;
        this.clusterDir = workDir.resolve("cluster");
        this.logFile = workDir.resolve("logs").resolve("scripts.log");
        this.ports = ports;
        this.monPort = ports.get(0).port();
        this.rgwPort = ports.get(1).port();
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.shutdownHook = new Thread(this::close, "ceph-rgw-shutdown");
    }

    /**
     * Starts the cluster under {@code workDir} with an S3 user holding the given keys, and returns once radosgw answers
     * HTTP 200. Daemons left behind by an aborted earlier run in the same directory are stopped first.
     *
     * @throws IllegalStateException if Ceph is not installed (the message says what to install) or does not come up
     *     (the message names the log file)
     */
    public static CephObjectGateway start(Path workDir, String accessKey, String secretKey) {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        List<String> missing = missingCommands();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Ceph is not installed (missing " + String.join(", ", missing)
                + "). Install it as root: " + INSTALL_COMMAND);
        }
        CephObjectGateway gw = new CephObjectGateway(workDir.toAbsolutePath(), Ports.reserveLoopbackPorts(2), accessKey,
            secretKey);
        try {
            gw.startDaemons();
        } catch (RuntimeException e) {
            gw.close();
            throw e;
        }
        return gw;
    }

    /** Which of the Ceph commands this gateway needs are not on {@code PATH}; empty when all are there. */
    public static List<String> missingCommands() {
        return missingCommands(System.getenv("PATH"));
    }

    static List<String> missingCommands(String path) {
        List<String> missing = new ArrayList<>();
        for (String cmd : REQUIRED_COMMANDS) {
            boolean found = path != null && Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, cmd))
                .anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p));
            if (!found) {
                missing.add(cmd);
            }
        }
        return missing;
    }

    /** {@code http://127.0.0.1:PORT}; use path-style addressing. */
    public String endpoint() {
        return "http://127.0.0.1:" + rgwPort;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Directory of the daemons' pid files; nothing outside it is ever signalled. */
    public Path runDir() {
        return clusterDir.resolve("run");
    }

    /** Output of the start and stop scripts; the daemons' own logs are in {@code cluster/log/} next to it. */
    public Path logFile() {
        return logFile;
    }

    /** The pids of this gateway's daemons that are still alive (zombies count as gone). */
    public synchronized List<Long> livePids() {
        Set<Long> candidates = new LinkedHashSet<>(daemonPids);
        candidates.addAll(readPidFiles());
        List<Long> alive = new ArrayList<>();
        for (long pid : candidates) {
            if (isOurLiveDaemon(pid)) {
                alive.add(pid);
            }
        }
        return alive;
    }

    /**
     * Runs the stop script, then force-kills whatever of this gateway's daemons is still alive, and releases the ports.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // JVM already shutting down, or the hook was never registered
        }
        try {
            stopQuietly();
        } finally {
            Ports.releaseAll(ports);
        }
    }

    private void startDaemons() {
        try {
            Files.createDirectories(logFile.getParent());
            Path bin = Files.createDirectories(workDir.resolve("bin"));
            extract(START, bin);
            extract(STOP, bin);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + workDir, e);
        }
        if (Files.isDirectory(runDir())) {
            runScript(STOP, Duration.ofSeconds(30));
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        int rc = runScript(START, Duration.ofSeconds(120));
        synchronized (this) {
            daemonPids.addAll(readPidFiles());
        }
        if (rc != 0) {
            throw new IllegalStateException(START + " exited with " + rc + "; see " + logFile);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(2)).build();
        boolean ready;
        try {
            ready = Waits.until(READY_TIMEOUT, Duration.ofMillis(200), () -> {
                try {
                    return http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for radosgw on " + endpoint(), e);
        }
        if (!ready) {
            throw new IllegalStateException("radosgw did not answer HTTP 200 on " + endpoint() + " within "
                + READY_TIMEOUT.toSeconds() + " s; see " + logFile + " and " + clusterDir.resolve("log"));
        }
    }

    private void extract(String script, Path bin) throws IOException {
        try (InputStream in = CephObjectGateway.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IOException("resource " + script + " missing from the classpath");
            }
            Files.copy(in, bin.resolve(script), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private int runScript(String script, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", workDir.resolve("bin").resolve(script).toString());
        pb.environment().put("CEPH_DIR", clusterDir.toString());
        pb.environment().put("MON_PORT", Integer.toString(monPort));
        pb.environment().put("RGW_PORT", Integer.toString(rgwPort));
        pb.environment().put("S3_ACCESS_KEY", accessKey);
        pb.environment().put("S3_SECRET_KEY", secretKey);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Files.writeString(logFile, "---- " + script + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(script + " did not finish within " + timeout.toSeconds()
                    + " s; see " + logFile);
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    private synchronized void stopQuietly() {
        try {
            if (Files.isRegularFile(workDir.resolve("bin").resolve(STOP))) {
                runScript(STOP, Duration.ofSeconds(30));
            }
        } catch (RuntimeException e) {
            LOG.warn("ceph stop script failed ({}); killing the daemons", e.toString());
        }
        for (long pid : livePids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        try {
            Waits.until(Duration.ofSeconds(10), Duration.ofMillis(100), () -> livePids().isEmpty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Long> left = livePids();
        if (!left.isEmpty()) {
            LOG.warn("ceph daemons still alive after stop: {}", left);
        }
    }

    private List<Long> readPidFiles() {
        List<Long> pids = new ArrayList<>();
        Path run = runDir();
        if (!Files.isDirectory(run)) {
            return pids;
        }
        try (Stream<Path> s = Files.list(run)) {
            for (Path f : (Iterable<Path>) s.filter(x -> x.getFileName().toString().endsWith(".pid"))::iterator) {
                try {
                    pids.add(Long.parseLong(Files.readString(f).trim()));
                } catch (IOException | NumberFormatException ignored) {
                    // a daemon removing its pid file while we read, or a half-written one
                }
            }
        } catch (IOException ignored) {
            // run directory vanished: nothing recorded
        }
        return pids;
    }

    /** Alive, not a zombie, and started with this gateway's ceph.conf: only such a pid may be signalled. */
    private boolean isOurLiveDaemon(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String afterComm = stat.substring(stat.lastIndexOf(')') + 2);
            char state = afterComm.charAt(0);
            if (state == 'Z' || state == 'X') {
                return false;
            }
            String conf = clusterDir.resolve("ceph.conf").toString();
            byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
            for (String arg : new String(cmdline, StandardCharsets.UTF_8).split("\0")) {
                if (arg.equals(conf)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "CephObjectGateway[" + endpoint() + ", mon 127.0.0.1:" + monPort + ", " + workDir + "]";
    }
}
