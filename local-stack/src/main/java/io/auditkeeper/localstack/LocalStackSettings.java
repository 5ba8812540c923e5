package io.auditkeeper.localstack;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which parts of the {@link LocalStack} are embedded and which are external, read from environment variables.
 *
 * <p>The same integration tests and demo then run unchanged against a real Kafka cluster, MinIO or AWS S3, or an
 * OpenSearch cluster: setting an endpoint replaces the embedded server. A null field means "embedded".
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>Variable</th><th>Meaning</th></tr>
 *   <tr><td>{@value #STACK_DIR}</td><td>work directory (default: the caller's, e.g. {@code target/local-stack})</td></tr>
 *   <tr><td>{@value #KAFKA_BOOTSTRAP}</td><td>external Kafka {@code bootstrap.servers}</td></tr>
 *   <tr><td>{@value #OPENSEARCH_URL}</td><td>external OpenSearch base URL</td></tr>
 *   <tr><td>{@value #S3_ENDPOINT}</td><td>external S3 base URL (MinIO, AWS)</td></tr>
 *   <tr><td>{@value #S3_REGION}</td><td>S3 signing region, default {@code us-east-1}</td></tr>
 *   <tr><td>{@value #S3_ACCESS_KEY}, {@value #S3_SECRET_KEY}</td><td>S3 keys; both or neither. Embedded: the
 *       gateway's user gets them (random per run when unset). External: unset means the AWS default chain</td></tr>
 *   <tr><td>{@value #S3_PATH_STYLE}</td><td>{@code true} (default) or {@code false} for virtual-host addressing</td></tr>
 * </table>
 *
 * @param workDir where embedded servers keep their data ({@code kafka/}, {@code opensearch/}, {@code ceph/})
 * @param kafkaBootstrap external Kafka, or null for the embedded broker
 * @param openSearchUrl external OpenSearch, or null for the embedded node
 * @param s3Endpoint external S3, or null for the embedded Ceph gateway
 * @param s3Region S3 signing region
 * @param s3AccessKey S3 access key, or null
 * @param s3SecretKey S3 secret key, or null (hidden by {@link #toString()})
 * @param s3PathStyle path-style addressing for an external S3
 */
public record LocalStackSettings(Path workDir, String kafkaBootstrap, URI openSearchUrl, URI s3Endpoint,
                                 String s3Region, String s3AccessKey, String s3SecretKey, boolean s3PathStyle) {
    public static final String STACK_DIR = "AUDITKEEPER_STACK_DIR";
    public static final String KAFKA_BOOTSTRAP = "AUDITKEEPER_STACK_KAFKA_BOOTSTRAP";
    public static final String OPENSEARCH_URL = "AUDITKEEPER_STACK_OPENSEARCH_URL";
    public static final String S3_ENDPOINT = "AUDITKEEPER_STACK_S3_ENDPOINT";
    public static final String S3_REGION = "AUDITKEEPER_STACK_S3_REGION";
    public static final String S3_ACCESS_KEY = "AUDITKEEPER_STACK_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY = "AUDITKEEPER_STACK_S3_SECRET_KEY";
    public static final String S3_PATH_STYLE = "AUDITKEEPER_STACK_S3_PATH_STYLE";
    public static final String DEFAULT_REGION = "us-east-1";

    public LocalStackSettings {
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(s3Region, "s3Region");
        if ((s3AccessKey == null) != (s3SecretKey == null)) {
            throw new IllegalArgumentException("set both " + S3_ACCESS_KEY + " and " + S3_SECRET_KEY + ", or neither");
        }
    }

    /** Everything embedded, under {@code workDir}. */
    public static LocalStackSettings embedded(Path workDir) {
        return new LocalStackSettings(workDir, null, null, null, DEFAULT_REGION, null, null, true);
    }

    /**
     * Reads the {@code AUDITKEEPER_STACK_*} variables; blank values count as unset.
     *
     * @param env usually {@link System#getenv()}
     * @param defaultWorkDir used when {@value #STACK_DIR} is unset
     * @throws IllegalArgumentException naming the variable that is malformed or missing its counterpart
     */
    public static LocalStackSettings fromEnvironment(Map<String, String> env, Path defaultWorkDir) {
        String dir = get(env, STACK_DIR);
        Path workDir = (dir == null ? defaultWorkDir : Path.of(dir)).toAbsolutePath().normalize();
        String region = get(env, S3_REGION);
        String access = get(env, S3_ACCESS_KEY);
        String secret = get(env, S3_SECRET_KEY);
        if (access != null && secret == null) {
            throw new IllegalArgumentException(S3_ACCESS_KEY + " is set but " + S3_SECRET_KEY + " is not");
        }
        if (secret != null && access == null) {
            throw new IllegalArgumentException(S3_SECRET_KEY + " is set but " + S3_ACCESS_KEY + " is not");
        }
        return new LocalStackSettings(
            workDir,
            get(env, KAFKA_BOOTSTRAP),
            httpUrl(env, OPENSEARCH_URL),
            httpUrl(env, S3_ENDPOINT),
            region == null ? DEFAULT_REGION : region,
            access,
            secret,
            bool(env, S3_PATH_STYLE, true));
    }

    public boolean embeddedKafka() {
        return kafkaBootstrap == null;
    }

    public boolean embeddedOpenSearch() {
        return openSearchUrl == null;
    }

    public boolean embeddedS3() {
        return s3Endpoint == null;
    }

    /** The same settings with another work directory. */
    public LocalStackSettings withWorkDir(Path dir) {
        return new LocalStackSettings(dir, kafkaBootstrap, openSearchUrl, s3Endpoint, s3Region, s3AccessKey,
            s3SecretKey, s3PathStyle);
    }

    @Override
    public String toString() {
        return "LocalStackSettings[workDir=" + workDir
            + ", kafka=" + (kafkaBootstrap == null ? "embedded" : kafkaBootstrap)
            + ", openSearch=" + (openSearchUrl == null ? "embedded" : openSearchUrl)
            + ", s3=" + (s3Endpoint == null ? "embedded" : s3Endpoint)
            + ", s3Region=" + s3Region + ", s3AccessKey=" + s3AccessKey
            + ", s3SecretKey=" + (s3SecretKey == null ? "null" : "***") + ", s3PathStyle=" + s3PathStyle + "]";
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static URI httpUrl(Map<String, String> env, String name) {
        String v = get(env, name);
        if (v == null) {
            return null;
        }
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException(name + " must be an http(s) URL with a host, was " + v);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a valid URL: " + v, e);
        }
    }

    private static boolean bool(Map<String, String> env, String name, boolean dflt) {
        String v = get(env, name);
        if (v == null) {
            return dflt;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(name + " must be true or false, was " + v);
        }
    }
}
