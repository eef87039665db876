package org.dinoj.worker.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * {@code --checkpoint-dir}: a local or mounted folder, or a {@code file:} URI. An object-store URI
 * would otherwise become a relative folder named after its scheme ({@code ./s3:/bucket}), and the
 * job would write there without a word.
 */
public final class CheckpointDirConverter implements CommandLine.ITypeConverter<Path> {
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:/.*");

    @Override
    public Path convert(String value) {
        if (!URI_WITH_SCHEME.matcher(value).matches()) {
            return Path.of(value);
        }
        String scheme = value.substring(0, value.indexOf(':'));
        if (!scheme.toLowerCase(Locale.ROOT).equals("file")) {
            throw new CommandLine.TypeConversionException("--checkpoint-dir takes a folder on a local or mounted file"
                    + " system, not '" + value + "': dinoj does not write to " + scheme + ": object stores; mount it (e.g."
                    + " NFS or a FUSE mount) and give its folder");
        }
        try {
            return Path.of(URI.create(value));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("--checkpoint-dir '" + value + "' is not a usable file: URI ("
                    + e.getMessage() + "); give a folder");
        }
    }
}
