package io.auditkeeper.ingest.auth;

import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The accepted bearer tokens, read from a file in the kube-apiserver's static token format ({@code token,name} per
 * line). Only SHA-256 digests are kept in memory, and a presented token is compared with every entry in constant
 * time, so neither timing nor a heap dump gives a token away.
 */
public final class BearerTokens {
    /** Shorter tokens can be guessed; the file is refused at start. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private record Entry(byte[] digest, String name) {
    }

    private final List<Entry> entries;

    private BearerTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static BearerTokens load(Path file) {
        return load(file, "auth.token-file");
    }

    /** The same format under another setting ({@code key}, which errors name): Firehose's access keys. */
    public static BearerTokens load(Path file, String key) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(key, file.toString(), "cannot be read: " + e.getMessage());
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(",", -1);
            String token = parts[0].strip();
            String name = parts.length > 1 ? parts[1].strip() : "";
            String where = file + " line " + (i + 1);
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new ConfigException(key, where, "a token must have at least " + MIN_TOKEN_LENGTH + " characters");
            }
            if (name.isEmpty()) {
                throw new ConfigException(key, where, "each line must be 'token,name'");
            }
            byte[] digest = sha256(token);
            if (entries.stream().anyMatch(e -> MessageDigest.isEqual(e.digest, digest))) {
                throw new ConfigException(key, where, "the same token appears twice");
            }
            entries.add(new Entry(digest, name));
        }
        if (entries.isEmpty()) {
            throw new ConfigException(key, file.toString(), "holds no token");
        }
        return new BearerTokens(entries);
    }

    /** The name of the matching token, comparing against all entries whatever the outcome. */
    public Optional<String> nameOf(String presented) {
        byte[] digest = sha256(presented);
        String match = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest, digest)) {
                match = e.name;
            }
        }
        return Optional.ofNullable(match);
    }

    public int size() {
        return entries.size();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
