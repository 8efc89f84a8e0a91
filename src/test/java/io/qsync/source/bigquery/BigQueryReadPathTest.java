package io.qsync.source.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.BigQueryReadApi;
import io.qsync.config.BigQueryReadApi.Mode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which API reads a result under {@code read_api}, and the reason the run report gives. */
class BigQueryReadPathTest {
  private static BigQueryReadApi api(Mode mode, Optional<String> storageHost) {
    return new BigQueryReadApi(mode, 1000, 4, storageHost);
  }

  @Test
  void autoReadsFromTheThresholdOnWithTheStorageReadApi() {
    BigQueryReadApi auto = api(Mode.AUTO, Optional.empty());

    assertThat(BigQueryReadPath.choose(auto, false, 999, 0))
        .isEqualTo(
            new BigQueryReadPath(
                false,
                "read_api: auto, the result holds 999 rows, fewer than read_api_min_rows 1000"));
    assertThat(BigQueryReadPath.choose(auto, false, 1000, 0))
        .isEqualTo(
            new BigQueryReadPath(
                true, "read_api: auto, the result holds 1000 rows, read_api_min_rows 1000"));
  }

  @Test
  void autoKeepsAnEmulatorsReadsOffGoogleWithoutAStorageHost() {
    assertThat(BigQueryReadPath.choose(api(Mode.AUTO, Optional.empty()), true, 5000, 0))
        .isEqualTo(
            new BigQueryReadPath(false, "read_api: auto, and host is set without storage_host"));
    assertThat(
            BigQueryReadPath.choose(
                    api(Mode.AUTO, Optional.of("http://127.0.0.1:1")), true, 5000, 0)
                .storage())
        .isTrue();
  }

  @Test
  void storageAndRestAreWhatTheySayWhateverTheSize() {
    assertThat(BigQueryReadPath.choose(api(Mode.STORAGE, Optional.empty()), true, 1, 0))
        .isEqualTo(new BigQueryReadPath(true, "read_api: storage"));
    assertThat(BigQueryReadPath.choose(api(Mode.REST, Optional.empty()), false, 10_000_000, 0))
        .isEqualTo(new BigQueryReadPath(false, "read_api: rest"));
  }

  @Test
  void aReadFromTheMiddleGoesOnWithTabledataList() {
    assertThat(BigQueryReadPath.choose(api(Mode.STORAGE, Optional.empty()), false, 5000, 10))
        .isEqualTo(new BigQueryReadPath(false, "the read goes on from row 10"));
  }
}
