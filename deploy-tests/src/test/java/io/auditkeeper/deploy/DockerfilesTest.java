package io.auditkeeper.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** What can be checked of the Dockerfiles without a Docker engine. */
class DockerfilesTest {
    private static final List<String> SERVICES = List.of("ingest", "stream-processor", "archiver", "source-aks", "notifier");
    private static final Pattern FROM = Pattern.compile("^FROM\\s+(\\S+)(\\s+AS\\s+\\S+)?\\s*$", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    static List<String> problems(String name, String dockerfile) {
        List<String> out = new ArrayList<>();
        String text = dockerfile.replaceAll("\\\\\\r?\\n", " ");
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        Matcher from = FROM.matcher(String.join("\n", lines));
        int froms = 0;
        while (from.find()) {
            froms++;
            String image = from.group(1);
            int slash = image.lastIndexOf('/');
            String tag = image.contains("@") ? "" : image.lastIndexOf(':') > slash ? image.substring(image.lastIndexOf(':') + 1) : "";
            if (!image.contains("@sha256:") && (tag.isEmpty() || tag.equals("latest"))) {
                out.add(name + ": base image " + image + " must be pinned by an exact tag or a digest");
            }
            if (image.startsWith("$")) {
                out.add(name + ": base image " + image + " is a build argument; pin it in the file");
            }
        }
        if (froms == 0) {
            out.add(name + ": no FROM");
        }
        String user = null;
        for (String l : lines) {
            String upper = l.toUpperCase();
            if (upper.startsWith("USER ")) {
                user = l.substring(5).strip();
            }
            if ((upper.startsWith("ENV ") || upper.startsWith("ARG ")) && ManifestPolicy.SECRET_NAME.matcher(l.substring(4).split("[= ]")[0]).matches()) {
                out.add(name + ": " + l.split("[= ]")[0] + " " + l.substring(4).split("[= ]")[0] + " bakes a credential into the image");
            }
            if (upper.startsWith("COPY ") || upper.startsWith("ADD ")) {
                if (upper.startsWith("ADD ")) {
                    out.add(name + ": use COPY, not ADD (no remote URLs or archive unpacking)");
                }
                if (l.matches("(?i).*\\.(key|pem|p12|jks|crt|env)\\b.*") || l.contains(".auditkeeper")) {
                    out.add(name + ": '" + l + "' copies key material or local settings into the image");
                }
            }
            if (upper.startsWith("RUN ")) {
                out.add(name + ": RUN needs a shell, which the runtime image must not need");
            }
        }
        if (user == null || !user.matches("[1-9][0-9]*(:[1-9][0-9]*)?")) {
            out.add(name + ": the last USER must be a numeric non-root uid[:gid] (is " + user + ")");
        }
        String entrypoint = lines.stream().filter(l -> l.toUpperCase().startsWith("ENTRYPOINT ")).reduce((a, b) -> b).orElse("");
        if (!entrypoint.matches("(?i)ENTRYPOINT\\s+\\[.*]")) {
            out.add(name + ": ENTRYPOINT must be in exec form (a JSON array): no shell at run time, java as PID 1");
        }
        if (!entrypoint.contains("-XX:MaxRAMPercentage=")) {
            out.add(name + ": the JVM heap must be sized from the container limit (-XX:MaxRAMPercentage)");
        }
        String health = lines.stream().filter(l -> l.toUpperCase().startsWith("HEALTHCHECK ")).findFirst().orElse("");
        if (!health.matches("(?i)HEALTHCHECK\\s+.*CMD\\s+\\[.*]")) {
            out.add(name + ": HEALTHCHECK must use CMD in exec form (there is no shell)");
        }
        if (lines.stream().noneMatch(l -> l.toUpperCase().startsWith("VOLUME ") && l.contains("\"/tmp\""))) {
            out.add(name + ": /tmp must be declared as a VOLUME (the root filesystem is read-only)");
        }
        return out;
    }

    @Test
    void shouldKeepEveryDockerfileHardened() throws Exception {
        List<String> problems = new ArrayList<>();
        for (String s : SERVICES) {
            Path f = Repo.DEPLOY.resolve("docker").resolve(s).resolve("Dockerfile");
            String text = Files.readString(f);
            problems.addAll(problems("deploy/docker/" + s + "/Dockerfile", text));
            // the jar the image runs is the one the module builds
            String pom = Files.readString(Repo.ROOT.resolve(s).resolve("pom.xml"));
            assertThat(pom).contains("<finalName>auditkeeper-" + s + "</finalName>");
            assertThat(text).contains("COPY --chown=0:0 " + s + "/target/auditkeeper-" + s + ".jar ")
                    .contains("COPY --chown=0:0 " + s + "/target/lib/ /app/lib/")
                    .contains("\"-jar\", \"/app/auditkeeper-" + s + ".jar\"]");
        }
        assertThat(problems).isEmpty();
        // the stream-processor's state directory is a declared volume and is where the service is told to keep state
        String sp = Files.readString(Repo.DEPLOY.resolve("docker/stream-processor/Dockerfile"));
        assertThat(sp).contains("VOLUME [\"/tmp\", \"/var/lib/auditkeeper/streams\"]")
                .contains("ENV AUDITKEEPER_STREAMS_STREAMS_STATE_DIR=/var/lib/auditkeeper/streams");
    }

    @Test
    void shouldProbeTheAdminPortWithAClassTheImageHolds() throws Exception {
        // the health check runs io.auditkeeper.admin.HealthProbe from /app/lib (the model jar is in every lib/)
        assertThat(Class.forName("io.auditkeeper.admin.HealthProbe")).isNotNull();
        assertThat(Files.readString(Repo.DEPLOY.resolve("docker/ingest/Dockerfile"))).contains("http://127.0.0.1:9090/readyz");
        assertThat(Files.readString(Repo.DEPLOY.resolve("docker/stream-processor/Dockerfile"))).contains("http://127.0.0.1:9091/readyz");
        assertThat(Files.readString(Repo.DEPLOY.resolve("docker/archiver/Dockerfile"))).contains("http://127.0.0.1:9092/readyz");
        assertThat(Files.readString(Repo.DEPLOY.resolve("docker/source-aks/Dockerfile"))).contains("http://127.0.0.1:9094/readyz");
        assertThat(Files.readString(Repo.DEPLOY.resolve("docker/notifier/Dockerfile"))).contains("http://127.0.0.1:9095/readyz");
    }

    @Test
    void shouldKeepEverythingButTheJarsOutOfTheBuildContext() throws Exception {
        List<String> lines = Files.readAllLines(Repo.ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(lines.get(0)).as(".dockerignore starts by excluding everything").isEqualTo("*");
        for (String l : lines.subList(1, lines.size())) {
            assertThat(l).as("only jars, lib/ and the empty state directory are admitted")
                    .matches("!(ingest|stream-processor|archiver|source-aks|notifier)/target/(auditkeeper-[a-z-]+\\.jar|lib/)|!deploy/docker/stream-processor/state/");
        }
    }

    @Test
    void shouldRejectABadDockerfile() {
        String bad = """
                FROM eclipse-temurin
                ENV OPENSEARCH_PASSWORD=hunter2
                COPY .auditkeeper/demo/ca.key /app/
                RUN apt-get update
                ENTRYPOINT java -jar /app/app.jar
                """;
        assertThat(problems("bad/Dockerfile", bad)).contains(
                "bad/Dockerfile: base image eclipse-temurin must be pinned by an exact tag or a digest",
                "bad/Dockerfile: ENV OPENSEARCH_PASSWORD bakes a credential into the image",
                "bad/Dockerfile: RUN needs a shell, which the runtime image must not need",
                "bad/Dockerfile: the last USER must be a numeric non-root uid[:gid] (is null)",
                "bad/Dockerfile: ENTRYPOINT must be in exec form (a JSON array): no shell at run time, java as PID 1",
                "bad/Dockerfile: the JVM heap must be sized from the container limit (-XX:MaxRAMPercentage)",
                "bad/Dockerfile: HEALTHCHECK must use CMD in exec form (there is no shell)");
        assertThat(problems("bad/Dockerfile", bad)).anyMatch(m -> m.contains("copies key material"));
    }
}
