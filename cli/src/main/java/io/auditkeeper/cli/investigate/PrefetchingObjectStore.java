package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.store.ObjectStore;
import io.auditkeeper.evidence.store.StoredObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * The archive bucket read ahead of the verifier. {@code ManifestVerifier} checks a partition's entries one after the
 * other, each with a GET of its object version and a listing of the key's versions: over years of archive that is
 * hundreds of thousands of round trips, each waiting for the last. Since the order is known (the chain), this store
 * starts the reads of the next {@code depth} entries on a pool while the verifier works on the current one, and hands
 * each result over exactly once. What is verified does not change: the same calls, with the same answers, in the same
 * order as seen by the verifier; a call for anything off the expected path goes straight to the bucket.
 */
final class PrefetchingObjectStore implements ObjectStore {
    private final ObjectStore bucket;
    private final List<ManifestEntry> order;
    private final ExecutorService pool;
    private final int depth;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> keyIndex = new HashMap<>();
    private final Map<Integer, CompletableFuture<Optional<StoredObject>>> objects = new HashMap<>();
    private final Map<Integer, CompletableFuture<List<String>>> versions = new HashMap<>();
    private int scheduled;

    /** {@code order}: the entries as the verifier will ask for them; at most {@code depth} objects are held ahead. */
    PrefetchingObjectStore(ObjectStore bucket, List<ManifestEntry> order, ExecutorService pool, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1");
        }
        this.bucket = bucket;
        this.order = order;
        this.pool = pool;
        this.depth = depth;
        for (int i = 0; i < order.size(); i++) {
            index.putIfAbsent(order.get(i).key() + "\n" + order.get(i).versionId(), i);
            keyIndex.putIfAbsent(order.get(i).key(), i);
        }
    }

    @Override
    public Optional<StoredObject> get(String key, String versionId) {
        Integer i = index.get(key + "\n" + versionId);
        if (i == null) {
            return bucket.get(key, versionId);
        }
        scheduleThrough(i + depth);
        CompletableFuture<Optional<StoredObject>> f = objects.remove(i);
        return f == null ? bucket.get(key, versionId) : join(f);
    }

    @Override
    public List<String> versions(String key) {
        Integer i = keyIndex.get(key);
        if (i == null) {
            return bucket.versions(key);
        }
        scheduleThrough(i + depth);
        CompletableFuture<List<String>> f = versions.remove(i);
        return f == null ? bucket.versions(key) : join(f);
    }

    private void scheduleThrough(int last) {
        while (scheduled < order.size() && scheduled <= last) {
            ManifestEntry e = order.get(scheduled);
            objects.put(scheduled, CompletableFuture.supplyAsync(() -> bucket.get(e.key(), e.versionId()), pool));
            versions.put(scheduled, CompletableFuture.supplyAsync(() -> bucket.versions(e.key()), pool));
            scheduled++;
        }
    }

    /** The result, or the bucket's own exception as if the call had been made here. */
    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
