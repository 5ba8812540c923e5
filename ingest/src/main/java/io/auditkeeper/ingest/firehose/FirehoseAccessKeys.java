package io.auditkeeper.ingest.firehose;

import io.auditkeeper.ingest.auth.BearerTokens;
import io.auditkeeper.ingest.auth.ClientIdentity;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The access keys Firehose may present in {@code X-Amz-Firehose-Access-Key} ({@code firehose.eks.access-key-file},
 * {@code key,name} per line, as the bearer token file): kept as SHA-256 digests and compared in constant time, like the
 * tokens. The file is read again with the other credentials, so a key is rotated without a restart by listing both
 * keys while the stream changes over.
 */
public final class FirehoseAccessKeys {
    public static final String SETTING = "firehose.eks.access-key-file";

    private volatile BearerTokens keys;

    private FirehoseAccessKeys(BearerTokens keys) {
        this.keys = keys;
    }

    public static FirehoseAccessKeys load(Path file) {
        return new FirehoseAccessKeys(read(file));
    }

    /** Reads the file: throws, naming the setting, if it does not read. */
    public static BearerTokens read(Path file) {
        return BearerTokens.load(file, SETTING);
    }

    /** The keys of a file read again: requests from now on are checked against them. */
    public void replace(BearerTokens newKeys) {
        keys = newKeys;
    }

    /** The client a presented key stands for, {@code firehose:<name>}; empty when it matches none. */
    public Optional<ClientIdentity> identify(String presented) {
        return keys.nameOf(presented).map(name -> new ClientIdentity("firehose:" + name, List.of(name)));
    }
}
