package org.dinoj.workflows;

/**
 * Where a verified checkpoint lives: a directory URI, the sha256 of its manifest, and the global
 * training step it holds. Workflows move these around, never tensors.
 */
public record CheckpointRef(String uri, String manifestSha256, long step) {
    public CheckpointRef {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("a checkpoint reference needs a URI");
        }
        if (step < 0) {
            throw new IllegalArgumentException("checkpoint step " + step + " is negative");
        }
    }
}
