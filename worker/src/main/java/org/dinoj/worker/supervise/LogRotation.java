package org.dinoj.worker.supervise;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Caps a log file that a running process appends to: past {@code maxBytes} its content moves to
 * {@code <name>.1} (older copies to {@code .2} ... {@code .<keep>}, the oldest dropped) and the
 * file is truncated in place. The writer keeps its file descriptor, so the file is copied and
 * truncated rather than renamed; it opened the file for appending, so its next line lands at the
 * new start. A line written between the copy and the truncation can be lost.
 */
public final class LogRotation {
    private final long maxBytes;
    private final int keep;

    public LogRotation(long maxBytes, int keep) {
        if (maxBytes < 1 || keep < 1) {
            throw new IllegalArgumentException("a log rotation needs a positive size and at least one old copy, got "
                    + maxBytes + " bytes and " + keep);
        }
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** The old copy {@code n} of {@code log} (1 is the newest). */
    public static Path copy(Path log, int n) {
        return log.resolveSibling(log.getFileName() + "." + n);
    }

    /** Rotates {@code log} when it has grown past the limit; true when it did. One rotation at a time. */
    public synchronized boolean rotateIfFull(Path log) throws IOException {
        long size;
        try {
            size = Files.size(log);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (size <= maxBytes) {
            return false;
        }
        Files.deleteIfExists(copy(log, keep));
        for (int n = keep - 1; n >= 1; n--) {
            if (Files.exists(copy(log, n))) {
                Files.move(copy(log, n), copy(log, n + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try (FileChannel in = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel out = FileChannel.open(copy(log, 1), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long copied = 0;
            // What the writer appended during the copy goes along too, which narrows the window to lose a line.
            for (long end = in.size(); copied < end; end = in.size()) {
                copied += in.transferTo(copied, end - copied, out);
            }
            in.truncate(0);
        }
        return true;
    }
}
