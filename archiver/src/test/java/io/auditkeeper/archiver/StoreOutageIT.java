package io.auditkeeper.archiver;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;

import static io.auditkeeper.archiver.ArchiverTestRun.awaitAtLeast;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two sinks progress independently: with OpenSearch unreachable the archive keeps up and the index catches up
 * when it returns; with S3 unreachable the index keeps up and the archive catches up, every offset archived once.
 * The outage is a real one at the network level ({@link TcpProxy}), against the real Ceph and OpenSearch.
 */
@ExtendWith(LocalStackExtension.class)
class StoreOutageIT {

    @TempDir
    Path dir;

    @Test
    void shouldKeepArchivingAndThenCatchUpTheIndexWhenOpenSearchIsDown(LocalStack stack) throws Exception {
        URI os = URI.create(stack.openSearchUrl());
        try (TcpProxy proxy = TcpProxy.start(os.getHost(), os.getPort())) {
            ArchiverTestRun run = new ArchiverTestRun(dir, stack, "http://127.0.0.1:" + proxy.port(), stack.s3().endpoint().toString());
            try (ArchiverService archiver = run.start()) {
                run.send(0, 100);
                awaitAtLeast("archived", archiver::archivedRecords, 100);
                awaitAtLeast("indexed", archiver::indexedDocuments, 100);

                proxy.cut();
                run.send(100, 300);
                awaitAtLeast("archived while OpenSearch is down", archiver::archivedRecords, 300);
                assertThat(run.indexed(stack)).as("documents in OpenSearch while it was unreachable").isEqualTo(100);

                proxy.restore();
                awaitAtLeast("indexed after OpenSearch returned", () -> run.indexed(stack), 300);
                assertThat(run.indexed(stack)).isEqualTo(300);
            }
            run.assertArchivedOnce(stack, 300);
        }
    }

    @Test
    void shouldKeepIndexingAndThenCatchUpTheArchiveWhenS3IsDown(LocalStack stack) throws Exception {
        URI s3 = stack.s3().endpoint();
        try (TcpProxy proxy = TcpProxy.start(s3.getHost(), s3.getPort())) {
            ArchiverTestRun run = new ArchiverTestRun(dir, stack, stack.openSearchUrl(), "http://127.0.0.1:" + proxy.port());
            try (ArchiverService archiver = run.start()) {
                run.send(0, 100);
                awaitAtLeast("archived", archiver::archivedRecords, 100);
                awaitAtLeast("indexed", () -> run.indexed(stack), 100);

                proxy.cut();
                run.send(100, 300);
                awaitAtLeast("indexed while S3 is down", () -> run.indexed(stack), 300);
                assertThat(archiver.archivedRecords()).as("records archived while S3 was unreachable").isEqualTo(100);
                assertThat(archiver.isHealthy()).as("the archive writer waits for S3, it does not stop").isTrue();

                proxy.restore();
                awaitAtLeast("archived after S3 returned", archiver::archivedRecords, 300);
            }
            run.assertArchivedOnce(stack, 300);
        }
    }
}
