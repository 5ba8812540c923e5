package io.auditkeeper.opensearch;

import io.auditkeeper.opensearch.HttpStatusException;
import org.opensearch.client.transport.httpclient5.ResponseException;

import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Says in the operator's terms, naming the configuration key to look at, why OpenSearch could not be used: an
 * untrusted server certificate, a certificate for another host, a refused client certificate, refused credentials or
 * permissions. The transports report these as a nested TLS exception or a bare status, which in a log line at 3 a.m.
 * reads like "not reachable". With TLS 1.3 the server checks the client certificate after the client has finished its
 * side of the handshake, so a refusal can reach a client that is already writing as a bare broken pipe or reset.
 * Never includes credentials (the exceptions described carry none).
 */
public final class ConnectionErrors {
    private ConnectionErrors() {
    }

    public static String describe(Throwable error) {
        int status = status(error);
        if (status == 401) {
            return "OpenSearch refused the credentials (401): check opensearch.username and opensearch.password "
                    + "(or opensearch.password-file), the client certificate, or the AWS credentials for SigV4; "
                    + error.getMessage();
        }
        if (status == 403) {
            return "OpenSearch authenticated the archiver but refused the request (403): its user or role needs "
                    + "index and template permissions on the index prefix; " + error.getMessage();
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "TLS: OpenSearch's certificate is not trusted: it is not signed by a CA in "
                        + "opensearch.tls.ca-file (or in the JVM's trust store when that is unset); " + t.getMessage();
            }
            if (t instanceof SSLPeerUnverifiedException || t instanceof CertificateException
                    && String.valueOf(t.getMessage()).contains("No subject alternative")) {
                return "TLS: OpenSearch's certificate does not name the host of opensearch.url (hostname "
                        + "verification, opensearch.tls.verify-hostname); " + t.getMessage();
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                String m = String.valueOf(t.getMessage());
                if (m.contains("bad_certificate") || m.contains("certificate_required")
                        || m.contains("certificate_unknown") || m.contains("Broken pipe") || m.contains("Connection reset")
                        || m.contains("Remote host terminated the handshake")) {
                    return "TLS: OpenSearch refused the handshake, most likely the client certificate (missing, or "
                            + "not signed by a CA it trusts: opensearch.tls.cert-file and opensearch.tls.key-file); "
                            + m;
                }
                return "TLS handshake with OpenSearch failed (opensearch.tls.*): " + m;
            }
            if (t instanceof ConnectException) {
                return "cannot connect to OpenSearch (opensearch.url): " + t.getMessage();
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof IOException && (m.contains("Broken pipe") || m.startsWith("Connection reset"))) {
                return "TLS or network: OpenSearch closed the connection (" + m + "). Over HTTPS with TLS 1.3 this "
                        + "is how a server refuses the client certificate when the request was already on its way "
                        + "(missing, or not signed by a CA it trusts: opensearch.tls.cert-file and "
                        + "opensearch.tls.key-file); otherwise the server or a proxy in between dropped it";
            }
        }
        return error.toString();
    }

    private static int status(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HttpStatusException s) {
                return s.status();
            }
            if (t instanceof ResponseException r) {
                return r.status();
            }
        }
        return 0;
    }
}
