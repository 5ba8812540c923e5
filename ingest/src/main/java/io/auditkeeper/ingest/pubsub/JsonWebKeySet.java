package io.auditkeeper.ingest.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The RSA keys Google signs push tokens with, read from a JSON Web Key Set file ({@code pubsub.gke.jwks-file}, a copy
 * of {@code https://www.googleapis.com/oauth2/v3/certs} that the operator keeps fresh). Ingest never fetches keys
 * itself: it makes no outbound call from the door, and the file is read again with the other credentials, so a
 * rotation is a file change. Only RSA signing keys with a {@code kid} are kept; a file without one does not read.
 */
public final class JsonWebKeySet {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Map<String, RSAPublicKey> keys;

    private JsonWebKeySet(Map<String, RSAPublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    /** Reads the file; throws {@link IllegalArgumentException} naming the setting, never the content. */
    public static JsonWebKeySet read(Path file, String setting) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " (" + file + ") does not read as JSON: "
                    + e.getClass().getSimpleName());
        }
        return parse(root, setting + " (" + file + ")");
    }

    static JsonWebKeySet parse(JsonNode root, String where) {
        JsonNode list = root == null ? null : root.get("keys");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(where + " is not a JSON Web Key Set ({\"keys\": [...]})");
        }
        Map<String, RSAPublicKey> keys = new HashMap<>();
        for (JsonNode k : list) {
            if (!"RSA".equals(k.path("kty").asText()) || k.hasNonNull("use") && !"sig".equals(k.path("use").asText())
                    || k.hasNonNull("alg") && !"RS256".equals(k.path("alg").asText())) {
                continue;
            }
            String kid = k.path("kid").asText("");
            if (kid.isEmpty()) {
                continue;
            }
            try {
                BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("n").asText()));
                BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(k.path("e").asText()));
                if (n.bitLength() < 2048) {
                    throw new IllegalArgumentException(where + ": key " + kid + " is shorter than 2048 bits");
                }
                keys.put(kid, (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e)));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                throw new IllegalArgumentException(where + ": key " + kid + " is not an RSA public key ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(where + " holds no RSA signing key with a kid");
        }
        return new JsonWebKeySet(keys);
    }

    Optional<RSAPublicKey> key(String kid) {
        return Optional.ofNullable(keys.get(kid));
    }

    public int size() {
        return keys.size();
    }
}
