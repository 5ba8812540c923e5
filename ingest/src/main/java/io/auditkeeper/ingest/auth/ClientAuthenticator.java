package io.auditkeeper.ingest.auth;

import io.auditkeeper.ingest.config.IngestConfig.AuthMode;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides who sent a request from what the TLS layer verified (the client certificate chain) and the
 * {@code Authorization} header, according to {@code auth.mode}. The TLS handshake has already checked the
 * certificate against the client CA; this class applies the subject allow-list and the token check.
 */
public final class ClientAuthenticator {
    private final AuthMode mode;
    private final Set<String> allowedSubjects;
    private volatile BearerTokens tokens;
    private final ClusterBindings bindings;

    public ClientAuthenticator(AuthMode mode, List<String> allowedSubjects, BearerTokens tokens) {
        this(mode, allowedSubjects, tokens, ClusterBindings.NONE);
    }

    public ClientAuthenticator(AuthMode mode, List<String> allowedSubjects, BearerTokens tokens, ClusterBindings bindings) {
        this.mode = mode;
        this.bindings = bindings;
        this.allowedSubjects = allowedSubjects.stream().map(String::strip).collect(Collectors.toUnmodifiableSet());
        this.tokens = tokens;
        if (mode.usesToken() && tokens == null) {
            throw new IllegalArgumentException("auth.mode " + mode + " needs tokens");
        }
    }

    public ClientIdentity authenticate(X509Certificate[] peerChain, String authorization) throws AuthenticationException {
        Optional<String> subject = peerChain == null || peerChain.length == 0
                ? Optional.empty()
                : Optional.of(peerChain[0].getSubjectX500Principal().getName(X500Principal.RFC2253));
        return switch (mode) {
            case MTLS -> certificate(allowedCertificate(subject));
            case TOKEN -> token(validToken(authorization));
            case MTLS_AND_TOKEN -> {
                String s = allowedCertificate(subject);
                String name = validToken(authorization);
                yield new ClientIdentity("mtls:" + s + "+token:" + name, List.of(bindingName(s), name));
            }
            case MTLS_OR_TOKEN -> {
                if (subject.isPresent() && isAllowed(subject.get())) {
                    yield certificate(subject.get());
                }
                if (authorization != null) {
                    yield token(validToken(authorization));
                }
                throw subject.isPresent()
                        ? new AuthenticationException(403, "client certificate subject is not allowed and no bearer token was given")
                        : new AuthenticationException(401, "a client certificate or a bearer token is required");
            }
        };
    }

    /** The token file read again: requests from now on are checked against these. */
    public void replaceTokens(BearerTokens newTokens) {
        if (mode.usesToken() && newTokens == null) {
            throw new IllegalArgumentException("auth.mode " + mode + " needs tokens");
        }
        this.tokens = newTokens;
    }

    /**
     * Refuses (403) a client that {@code auth.cluster-bindings} does not let post for {@code cluster}; the message
     * names the client as the header records it, never a token.
     */
    public void authorize(ClientIdentity client, String cluster) throws AuthenticationException {
        if (!bindings.allows(client, cluster)) {
            throw new AuthenticationException(403, "client " + client + " may not post audit events for cluster '"
                    + cluster + "' (auth.cluster-bindings)");
        }
    }

    private static ClientIdentity certificate(String subject) {
        return new ClientIdentity("mtls:" + subject, List.of(bindingName(subject)));
    }

    private static ClientIdentity token(String name) {
        return new ClientIdentity("token:" + name, List.of(name));
    }

    /** A certificate is bound by its CN, or by its whole subject when it has none. */
    private static String bindingName(String subject) {
        return commonName(subject).orElse(subject);
    }

    private String allowedCertificate(Optional<String> subject) throws AuthenticationException {
        if (subject.isEmpty()) {
            throw new AuthenticationException(401, "a client certificate is required");
        }
        if (!isAllowed(subject.get())) {
            throw new AuthenticationException(403, "client certificate subject is not allowed");
        }
        return subject.get();
    }

    private String validToken(String authorization) throws AuthenticationException {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new AuthenticationException(401, "a bearer token is required");
        }
        return tokens.nameOf(authorization.substring(7).strip())
                .orElseThrow(() -> new AuthenticationException(401, "the bearer token is not valid"));
    }

    private boolean isAllowed(String subjectDn) {
        if (allowedSubjects.isEmpty()) {
            return true;
        }
        if (allowedSubjects.contains(subjectDn)) {
            return true;
        }
        return commonName(subjectDn).map(allowedSubjects::contains).orElse(false);
    }

    private static Optional<String> commonName(String dn) {
        try {
            for (Rdn rdn : new LdapName(dn).getRdns()) {
                if (rdn.getType().toUpperCase(Locale.ROOT).equals("CN")) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
