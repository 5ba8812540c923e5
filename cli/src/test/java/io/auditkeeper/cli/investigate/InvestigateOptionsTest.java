package io.auditkeeper.cli.investigate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Options out of range stop a command before it reaches any store, with exit 2 and the option named. */
class InvestigateOptionsTest {
    @Test
    void shouldExitTwoNamingTheOptionWhenParallelismIsOutOfRange() {
        CliRun none = CliRun.of("verify", "--bucket", "b", "--parallelism", "0");
        CliRun many = CliRun.of("report", "--from", "2026-03-01", "--to", "2026-03-01", "--opensearch",
                "http://127.0.0.1:1", "--bucket", "b", "--out", "unused", "--parallelism", "65");

        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("--parallelism must be 1 to 64");
        assertThat(many.code()).isEqualTo(2);
        assertThat(many.err()).contains("--parallelism must be 1 to 64");
    }

    @Test
    void shouldExitTwoNamingTheOptionWhenMaxRowsOrRetentionIsOutOfRange() {
        CliRun rows = CliRun.of("report", "--from", "2026-03-01", "--to", "2026-03-01", "--opensearch",
                "http://127.0.0.1:1", "--bucket", "b", "--out", "unused", "--max-rows", "0");
        CliRun years = CliRun.of("verify", "--bucket", "b", "--min-retention-years", "-1");

        assertThat(rows.code()).isEqualTo(2);
        assertThat(rows.err()).contains("--max-rows must be 1 to 10000000");
        assertThat(years.code()).isEqualTo(2);
        assertThat(years.err()).contains("--min-retention-years must not be negative");
    }

    @Test
    void shouldExitTwoWhenRecordTimeIsNeitherEventNorNow() {
        CliRun run = CliRun.of("replay", "kafka", "--bootstrap", "127.0.0.1:1", "--to-topic", "t",
                "--record-time", "yesterday");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("must be event or now, not yesterday");
    }

    @Test
    void shouldExitTwoNamingTheOptionWhenRehydrateIsAskedForTheHotIndicesOrAnOddRetention() {
        String[] common = {"rehydrate", "--from", "2025-03-01", "--to", "2025-03-01", "--opensearch",
                "http://127.0.0.1:1", "--bucket", "b"};
        CliRun hot = CliRun.of(with(common, "--index-prefix", "audit-events"));
        CliRun days = CliRun.of(with(common, "--retention-days", "0"));
        CliRun noPeriod = CliRun.of("rehydrate", "--opensearch", "http://127.0.0.1:1", "--bucket", "b");

        assertThat(hot.code()).isEqualTo(2);
        assertThat(hot.err()).contains("--index-prefix must be a lowercase name other than the hot indices'");
        assertThat(days.code()).isEqualTo(2);
        assertThat(days.err()).contains("--retention-days must be 1 to 3650");
        assertThat(noPeriod.code()).isEqualTo(2);
        assertThat(noPeriod.err()).contains("--from").contains("--to");
    }

    private static String[] with(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
