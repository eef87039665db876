package org.dinoj.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --checkpoint-dir}: folders and file: URIs pass; an object store is one sentence, not a folder named "s3:". */
class CheckpointDirConverterTest {
    @TempDir
    Path dir;

    @Test
    void foldersAndFileUrisAreFoldersAndObjectStoresAreRefused() {
        CheckpointDirConverter converter = new CheckpointDirConverter();
        assertThat(converter.convert("checkpoints")).isEqualTo(Path.of("checkpoints"));
        assertThat(converter.convert("/mnt/nfs/ckpt")).isEqualTo(Path.of("/mnt/nfs/ckpt"));
        assertThat(converter.convert("runs:old")).isEqualTo(Path.of("runs:old"));
        assertThat(converter.convert(dir.toUri().toString())).isEqualTo(dir);
        assertThatThrownBy(() -> converter.convert("s3://bucket/ckpt")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("--checkpoint-dir takes a folder on a local or mounted file system, not 's3://bucket/ckpt':"
                        + " dinoj does not write to s3: object stores; mount it (e.g. NFS or a FUSE mount) and give its folder");
        assertThatThrownBy(() -> converter.convert("gs://bucket")).hasMessageContaining("gs: object stores");
    }

    @Test
    void pretrainWithAnObjectStoreStopsBeforeAnythingStartsOrIsWritten() throws Exception {
        StringWriter err = new StringWriter();
        Path cwd = Path.of("").toAbsolutePath();
        int code = DinojCli.commandLine().setErr(new PrintWriter(err))
                .execute("pretrain", "--config", "tiny-test", "--checkpoint-dir", "s3://bucket/ckpt");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--checkpoint-dir'")
                .contains("dinoj does not write to s3: object stores");
        assertThat(Files.exists(cwd.resolve("s3:"))).isFalse();
    }
}
