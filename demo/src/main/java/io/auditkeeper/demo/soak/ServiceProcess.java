package io.auditkeeper.demo.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One service as the operating system runs it: {@code java -jar <service>.jar --config <file>}, its output appended to
 * its own log. Faults reach it as a kubelet or the kernel would deliver them: signals sent with {@code kill}, so that
 * SIGKILL is a hard death (no shutdown hook, no flush), SIGSTOP a freeze the process cannot notice, and SIGTERM the
 * graceful stop a rolling update sends.
 */
public final class ServiceProcess {
    private final String name;
    private final String module;
    private final Path jar;
    private final Path config;
    private final Path log;
    private final List<String> jvmOptions;
    private Process process;
    private boolean frozen;
    private int starts;

    ServiceProcess(String name, String module, Path jar, Path config, Path log, List<String> jvmOptions) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.name = name;
        this.module = module;
        this.jar = jar;
        this.config = config;
        this.log = log;
    }

    public String name() {
        return name;
    }

    Path log() {
        return log;
    }

    /** Whether the service's last run logged that it stopped ({@code "<service> stopped"}, after its shutdown hook). */
    boolean loggedStop() {
        try {
            String text = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1);
            return text.substring(text.lastIndexOf("=== start ")).contains("\"" + module + " stopped\"");
        } catch (IOException e) {
            return false;
        }
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        try {
            Files.writeString(log, "=== start " + (++starts) + " of " + name + " ===\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        frozen = false;
    }

    /** SIGKILL, and waits for the process to be gone: what an OOM kill or a lost node does. */
    synchronized void kill() {
        signal("KILL");
        await(Duration.ofSeconds(30));
        frozen = false;
    }

    /** SIGSTOP: the process stops between two instructions, its sockets open, and knows nothing of it when thawed. */
    synchronized void freeze() {
        signal("STOP");
        frozen = true;
    }

    synchronized void thaw() {
        signal("CONT");
        frozen = false;
    }

    /** SIGTERM (thawing first), then the exit code once the shutdown hook ran, or -1 if it did not end in time. */
    public synchronized int terminate(Duration patience) {
        if (process == null || !process.isAlive()) {
            return process == null ? -1 : process.exitValue();
        }
        if (frozen) {
            thaw();
        }
        signal("TERM");
        if (!await(patience)) {
            process.destroyForcibly();
            await(Duration.ofSeconds(10));
            return -1;
        }
        return process.exitValue();
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    synchronized boolean frozen() {
        return frozen;
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    int starts() {
        return starts;
    }

    /** Whatever happens, nothing of it outlives the harness. */
    synchronized void destroy() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            await(Duration.ofSeconds(10));
        }
    }

    private boolean await(Duration patience) {
        try {
            return process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
