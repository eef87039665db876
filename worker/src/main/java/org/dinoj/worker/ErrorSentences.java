package org.dinoj.worker;

/** Exceptions as the one sentence a person reads: the CLI's error line, a failed activity's reason. */
public final class ErrorSentences {
    private ErrorSentences() {
    }

    /**
     * The exception as a sentence. The JDK's file-system exceptions carry only the path (and an
     * errno text for some): "/proc/x" alone says neither what went wrong nor what to do.
     */
    public static String of(Throwable e) {
        // dinoj's own sentences travel in the file field too (new NoSuchFileException(sentence)): left as they are.
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null && !f.getFile().contains(" ")) {
            String what = switch (f) {
                case java.nio.file.NoSuchFileException n -> "no such file or folder";
                case java.nio.file.AccessDeniedException a -> "permission denied (or a read-only file system)";
                case java.nio.file.FileAlreadyExistsException x -> "it already exists";
                case java.nio.file.NotDirectoryException d -> "a part of the path is a file, not a folder";
                case java.nio.file.DirectoryNotEmptyException d -> "the folder is not empty";
                default -> f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            };
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + what;
        }
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            return e.getCause() != null && e.getCause() != e ? of(e.getCause()) : e.toString();
        }
        return e.getMessage();
    }
}
