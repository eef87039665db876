package org.dinoj.worker.toy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.train.CheckpointEvaluator;

/**
 * A stand-in k-NN: "accuracy" falls with the teacher's distance from shard 0's target, so it rises
 * as the toy trains. Registered for tests through META-INF/services.
 */
public final class ToyEvaluator implements CheckpointEvaluator {
    /** Stands in for the production implementation on the test class path. */
    @Override
    public int priority() {
        return 1;
    }

    @Override
    public KnnResult knn(String config, Path checkpoint) throws IOException {
        long millis = new ObjectMapper(new YAMLFactory()).readTree(config).path("toy").path("eval_millis").asLong(0);
        if (millis > 0) {
            try {
                Thread.sleep(millis); // stands in for a real evaluation's minutes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        try (SafeTensorsFile model = SafeTensors.read(checkpoint.resolve("model.safetensors"))) {
            double[] teacher = model.tensor("teacher.w").toDoubleArray();
            double distance = 0;
            for (int i = 0; i < teacher.length; i++) {
                distance += (teacher[i] - i) * (teacher[i] - i);
            }
            double top1 = 100 / (1 + Math.sqrt(distance));
            return new KnnResult(20, top1, Math.min(100, 2 * top1));
        }
    }
}
