package io.auditkeeper.opensearch;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach and authenticate to one OpenSearch cluster: the URL, the trust anchors and client certificate for TLS,
 * and either HTTP basic credentials or AWS SigV4 signing. Kept apart from any service's configuration so that the
 * archiver ({@code ArchiverConfig.openSearchConnection()}) and the auditors' {@code report} (its {@code --opensearch*}
 * options) reach OpenSearch the same way, and the client can be tested without either.
 *
 * @param url            {@code http://} or {@code https://host[:port][/path-prefix]}
 * @param auth           basic (credentials if given, else anonymous) or SigV4
 * @param username       basic-auth user, or null
 * @param password       basic-auth password, or null; never printed by {@link #toString()}
 * @param caFile         PEM CA bundle for the server's certificate, or null for the JVM's trust store
 * @param certFile       PEM client certificate (chain) to present, or null
 * @param keyFile        PEM private key of {@code certFile}, or null
 * @param verifyHostname whether the server's certificate must name the URL's host
 * @param awsRegion      signing region for SigV4, or null
 * @param awsService     signing service for SigV4: {@code es} or {@code aoss}
 */
public record OpenSearchConnection(URI url, Auth auth, String username, String password, Path caFile, Path certFile,
                                   Path keyFile, boolean verifyHostname, String awsRegion, String awsService) {

    /** How requests are authenticated (a client certificate is TLS, orthogonal to this). */
    public enum Auth {
        /** HTTP basic when a username is given, anonymous otherwise. */
        BASIC,
        /** AWS Signature V4 with the default credentials provider chain (Amazon OpenSearch Service). */
        SIGV4;

        public static Auth of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    public OpenSearchConnection {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(auth, "auth");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("OpenSearch URL must be http or https: " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("OpenSearch URL has no host: " + url);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("OpenSearch username and password go together");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("client certificate and key go together");
        }
        if (!https(url) && (caFile != null || certFile != null)) {
            throw new IllegalArgumentException("TLS files need an https OpenSearch URL: " + url);
        }
        if (auth == Auth.SIGV4) {
            if (awsRegion == null || awsRegion.isBlank()) {
                throw new IllegalArgumentException("SigV4 needs an AWS region");
            }
            if (!"es".equals(awsService) && !"aoss".equals(awsService)) {
                throw new IllegalArgumentException("SigV4 service must be es or aoss: " + awsService);
            }
            if (!https(url)) {
                throw new IllegalArgumentException("SigV4 needs an https OpenSearch URL: " + url);
            }
            if (username != null) {
                throw new IllegalArgumentException("SigV4 and basic credentials exclude each other");
            }
            if (pathPrefix(url).isPresent()) {
                throw new IllegalArgumentException("SigV4 URLs take no path: " + url);
            }
        }
    }

    /** Anonymous, plain or TLS with the JVM's trust store, hostname verification on. */
    public static OpenSearchConnection of(URI url) {
        return new OpenSearchConnection(url, Auth.BASIC, null, null, null, null, null, true, null, "es");
    }

    public OpenSearchConnection withBasicAuth(String user, String pass) {
        return new OpenSearchConnection(url, Auth.BASIC, user, pass, caFile, certFile, keyFile, verifyHostname,
                awsRegion, awsService);
    }

    public OpenSearchConnection withCaFile(Path ca) {
        return new OpenSearchConnection(url, auth, username, password, ca, certFile, keyFile, verifyHostname,
                awsRegion, awsService);
    }

    public OpenSearchConnection withClientCertificate(Path cert, Path key) {
        return new OpenSearchConnection(url, auth, username, password, caFile, cert, key, verifyHostname,
                awsRegion, awsService);
    }

    public OpenSearchConnection withVerifyHostname(boolean verify) {
        return new OpenSearchConnection(url, auth, username, password, caFile, certFile, keyFile, verify,
                awsRegion, awsService);
    }

    public OpenSearchConnection withSigV4(String region, String service) {
        return new OpenSearchConnection(url, Auth.SIGV4, username, password, caFile, certFile, keyFile, verifyHostname,
                region, service);
    }

    public boolean https() {
        return https(url);
    }

    /** The port of the URL, or the scheme's default (443 for https, 9200 for http, OpenSearch's). */
    public int port() {
        return url.getPort() != -1 ? url.getPort() : https() ? 443 : 9200;
    }

    /** The URL's path when it has one other than {@code /} (a reverse proxy's prefix). */
    public Optional<String> pathPrefix() {
        return pathPrefix(url);
    }

    private static Optional<String> pathPrefix(URI url) {
        String p = url.getPath();
        return p == null || p.isEmpty() || p.equals("/") ? Optional.empty() : Optional.of(p);
    }

    private static boolean https(URI url) {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    @Override
    public String toString() {
        return "OpenSearchConnection[url=" + url + ", auth=" + auth + ", username=" + username + ", password="
                + (password == null ? "(none)" : "(hidden)") + ", caFile=" + caFile + ", certFile=" + certFile
                + ", keyFile=" + keyFile + ", verifyHostname=" + verifyHostname + ", awsRegion=" + awsRegion
                + ", awsService=" + awsService + "]";
    }
}
