package org.dinoj.model.train;

import java.io.IOException;
import java.util.Arrays;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.checkpoint.CheckpointMismatchException;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.tensor.Tensor;

/** Copies named checkpoint tensors into model tensors, refusing missing keys and other shapes. */
final class CheckpointTensors {
    private CheckpointTensors() {
    }

    /**
     * Copies {@code key} of {@code file} into {@code target} (host or device memory).
     *
     * @param model what the target belongs to, for the error ("vit_tiny_p4")
     */
    static void load(Backend backend, SafeTensorsFile file, String key, Tensor target, String model) throws IOException {
        if (!file.names().contains(key)) {
            throw new CheckpointMismatchException("checkpoint file " + file + " has no tensor '" + key + "': it does not match this"
                    + " configuration's model (" + model + ")");
        }
        Tensor source = file.tensor(key);
        if (!source.sameShape(target)) {
            throw new CheckpointMismatchException("checkpoint tensor '" + key + "' is " + source + " but the model expects "
                    + Arrays.toString(target.shape()) + ": the checkpoint belongs to another architecture");
        }
        backend.copy(source, target);
        backend.synchronize();
    }
}
