package io.auditkeeper.ingest.auth;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokensTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameTheTokenThatMatchesAndNothingElse() throws Exception {
        BearerTokens tokens = BearerTokens.load(write("# apiservers\n\nAAAAAAAAAAAAAAAAAAAA,prod-apiserver\nBBBBBBBBBBBBBBBBBBBB, staging ,uid-1\n"));

        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.nameOf("AAAAAAAAAAAAAAAAAAAA")).contains("prod-apiserver");
        assertThat(tokens.nameOf("BBBBBBBBBBBBBBBBBBBB")).contains("staging");
        assertThat(tokens.nameOf("AAAAAAAAAAAAAAAAAAAB")).isEmpty();
        assertThat(tokens.nameOf("")).isEmpty();
    }

    @Test
    void shouldRefuseAShortTokenNamingTheLineButNotTheToken() throws Exception {
        Path file = write("AAAAAAAAAAAAAAAAAAAA,ok\nshort,bad\n");

        assertThatThrownBy(() -> BearerTokens.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.token-file").hasMessageContaining("line 2").hasMessageNotContaining("short");
    }

    @Test
    void shouldRefuseAFileWithoutTokensOrWithoutNames() throws Exception {
        assertThatThrownBy(() -> BearerTokens.load(write("# nothing\n"))).hasMessageContaining("holds no token");
        assertThatThrownBy(() -> BearerTokens.load(write("AAAAAAAAAAAAAAAAAAAA\n"))).hasMessageContaining("'token,name'");
        assertThatThrownBy(() -> BearerTokens.load(write("AAAAAAAAAAAAAAAAAAAA,a\nAAAAAAAAAAAAAAAAAAAA,b\n")))
                .hasMessageContaining("twice");
    }

    private Path write(String content) throws Exception {
        Path f = Files.createTempFile(dir, "tokens", ".csv");
        Files.writeString(f, content);
        return f;
    }
}
