package org.dinoj.model.config;

/** A configuration the user wrote that cannot be used; the message names the key and what to do. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
