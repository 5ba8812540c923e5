package io.auditkeeper.evidence.manifest;

import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM armour for the two key encodings used here (RFC 7468). Error messages never quote the input. */
final class Pem {
    static final String PRIVATE = "PRIVATE KEY";
    static final String PUBLIC = "PUBLIC KEY";
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

    private Pem() {
    }

    static byte[] decode(String pem, String label, Path file) {
        Matcher begin = BEGIN.matcher(pem);
        if (!begin.find()) {
            throw new ManifestKeyException(file, "not a PEM file (no -----BEGIN " + label + "----- line)", null);
        }
        String found = begin.group(1);
        if (!found.equals(label)) {
            String hint = switch (found) {
                case "ENCRYPTED PRIVATE KEY" -> "; encrypted keys are not supported, store it unencrypted with 0600"
                        + " permissions or in a secret mount";
                case "OPENSSH PRIVATE KEY" ->
                        "; OpenSSH keys are not supported, use openssl genpkey -algorithm ed25519";
                case "PRIVATE KEY", "PUBLIC KEY" -> "; the other half of the key pair was given";
                default -> "";
            };
            throw new ManifestKeyException(file, "PEM block is '" + found + "', expected '" + label + "'" + hint, null);
        }
        String end = "-----END " + label + "-----";
        int endAt = pem.indexOf(end, begin.end());
        if (endAt < 0) {
            throw new ManifestKeyException(file, "PEM block has no " + end + " line", null);
        }
        String body = pem.substring(begin.end(), endAt).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new ManifestKeyException(file, "PEM body is not valid base64", null);
        }
    }

    static String encode(byte[] der, String label) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
