package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.store.ObjectStore;
import io.auditkeeper.evidence.store.StoredObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrefetchingObjectStoreTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A bucket in memory that records every call made of it. */
    private static final class Bucket implements ObjectStore {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final String failingKey;

        Bucket(String failingKey) {
            this.failingKey = failingKey;
        }

        @Override
        public Optional<StoredObject> get(String key, String versionId) {
            calls.add("get " + key);
            if (key.equals(failingKey)) {
                throw new IllegalStateException("S3 said no to " + key);
            }
            return key.startsWith("missing") ? Optional.empty() : Optional.of(new StoredObject(
                    (key + "@" + versionId).getBytes(StandardCharsets.UTF_8), "COMPLIANCE", Instant.EPOCH));
        }

        @Override
        public List<String> versions(String key) {
            calls.add("versions " + key);
            return List.of("v-" + key);
        }
    }

    private static List<ManifestEntry> entries(int n) {
        List<ManifestEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = (i == 3 ? "missing-" : "obj-") + i;
            out.add(new ManifestEntry(1, "t", 0, i * 10L, i * 10L + 9, 10, null, null, key, "v" + i, null, null,
                    null, null, null));
        }
        return out;
    }

    @Test
    void shouldAnswerEachCallAsTheBucketDoesAndAskTheBucketOnceWhenTheVerifierWalksTheChain() {
        List<ManifestEntry> chain = entries(12);
        Bucket bucket = new Bucket(null);
        PrefetchingObjectStore store = new PrefetchingObjectStore(bucket, chain, pool, 3);

        for (ManifestEntry e : chain) {
            assertThat(store.versions(e.key())).containsExactly("v-" + e.key());
            Optional<StoredObject> o = store.get(e.key(), e.versionId());
            if (e.key().startsWith("missing")) {
                assertThat(o).isEmpty();
            } else {
                assertThat(new String(o.orElseThrow().content(), StandardCharsets.UTF_8))
                        .isEqualTo(e.key() + "@" + e.versionId());
            }
        }

        assertThat(bucket.calls).hasSize(24).doesNotHaveDuplicates();
    }

    @Test
    void shouldReadNoMoreThanDepthEntriesAheadOfTheVerifier() throws Exception {
        List<ManifestEntry> chain = entries(20);
        Bucket bucket = new Bucket(null);
        PrefetchingObjectStore store = new PrefetchingObjectStore(bucket, chain, pool, 3);

        store.versions("obj-0");
        store.get("obj-0", "v0");
        pool.shutdown();
        pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);

        // entry 0 and the 3 after it, each a listing and a GET
        assertThat(bucket.calls).hasSize(8).contains("get obj-2", "versions missing-3")
                .doesNotContain("get obj-4", "versions obj-4");
    }

    @Test
    void shouldThrowTheBucketsErrorFromTheCallForThatObjectOnly() {
        List<ManifestEntry> chain = entries(6);
        PrefetchingObjectStore store = new PrefetchingObjectStore(new Bucket("obj-2"), chain, pool, 4);

        assertThat(store.get("obj-0", "v0")).isPresent();
        assertThat(store.get("obj-1", "v1")).isPresent();
        assertThatThrownBy(() -> store.get("obj-2", "v2")).isInstanceOf(IllegalStateException.class)
                .hasMessage("S3 said no to obj-2");
        assertThat(store.get("obj-4", "v4")).isPresent();
    }

    @Test
    void shouldAskTheBucketDirectlyForAVersionOffTheChain() {
        Bucket bucket = new Bucket(null);
        PrefetchingObjectStore store = new PrefetchingObjectStore(bucket, entries(3), pool, 2);

        assertThat(store.get("obj-0", "another-version")).isPresent();
        assertThat(store.versions("elsewhere")).containsExactly("v-elsewhere");

        assertThat(bucket.calls).containsExactly("get obj-0", "versions elsewhere");
    }
}
