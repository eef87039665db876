package org.dinoj.model.backend.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.dinoj.model.backend.Activation;
import org.dinoj.model.backend.AdamWStep;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BackendConformanceTest;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the conformance suite against reference backends with one deliberate defect each and checks
 * that exactly the tests of the broken op fail: the tolerances are tight enough to catch small
 * errors, and loose enough not to fail the ops that are right.
 */
class BackendConformanceSensitivityTest {

    @Test
    void matmulSkippingTheLastInnerTermIsCaughtByEveryMatmulTest() {
        // An off-by-one in the K loop: the error is one product in K, far above the tolerance.
        List<String>[] outcome = run(MatmulShortKBackendConformance.class);
        assertThat(outcome[1]).as("failed tests").isNotEmpty().allMatch(id -> id.contains("matmul"));
        assertThat(outcome[0]).as("passed tests").noneMatch(id -> id.contains("matmul"));
    }

    @Test
    void geluTanhApproximationIsCaughtAsWrongGeluErf() {
        // The tanh form differs from the erf form by up to about 5e-4: a classic mix-up.
        List<String>[] outcome = run(GeluTanhBackendConformance.class);
        assertThat(outcome[1]).as("failed tests").isNotEmpty()
                .allMatch(id -> id.contains("activationForward") || id.contains("activationInPlace"))
                .allMatch(id -> id.contains("GELU_ERF"));
        assertThat(outcome[0]).as("passed tests").noneMatch(id -> id.contains("activationForward") && id.contains("GELU_ERF"));
    }

    /** [passed unique ids, failed unique ids] of the tests of {@code suite}. */
    @SuppressWarnings("unchecked")
    private static List<String>[] run(Class<?> suite) {
        List<String> passed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        if (test.isTest()) {
                            String id = test.getUniqueId() + " " + test.getDisplayName();
                            (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? passed : failed).add(id);
                        }
                    }
                });
        assertThat(passed.size() + failed.size()).as("tests run from " + suite.getSimpleName()).isGreaterThan(100);
        return new List[] {passed, failed};
    }

    static class MatmulShortKBackendConformance extends BackendConformanceTest {
        @Override
        protected Backend createBackend() {
            return new DefectiveBackend() {
                @Override
                public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
                    long k = a.size(-1) - 1;
                    super.matmul(a.slice(-1, 0, k), b.slice(-2, 0, k), bias, c, alpha, beta);
                }
            };
        }
    }

    static class GeluTanhBackendConformance extends BackendConformanceTest {
        @Override
        protected Backend createBackend() {
            return new DefectiveBackend() {
                @Override
                public void activationForward(Activation activation, Tensor x, Tensor y) {
                    if (activation != Activation.GELU_ERF) {
                        super.activationForward(activation, x, y);
                        return;
                    }
                    for (long i = 0; i < x.numel(); i++) {
                        double v = x.getFlat(i);
                        double inner = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
                        y.setFlat(i, 0.5 * v * (1 + Math.tanh(inner)));
                    }
                }
            };
        }
    }

    /** The reference in F32, every op overridable to plant a defect. */
    private static class DefectiveBackend implements Backend {
        private final ReferenceBackend reference = new ReferenceBackend(Precision.F32);

        @Override
        public String name() {
            return "defective";
        }

        @Override
        public Precision precision() {
            return Precision.F32;
        }

        @Override
        public TensorAllocator newArena() {
            return reference.newArena();
        }

        @Override
        public void matmul(Tensor a, Tensor b, Tensor bias, Tensor c, float alpha, float beta) {
            reference.matmul(a, b, bias, c, alpha, beta);
        }

        @Override
        public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                     Tensor variance) {
            reference.layerNormForward(x, gamma, beta, eps, y, mean, variance);
        }

        @Override
        public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor variance, float eps, Tensor dy,
                                      Tensor dx, Tensor dgamma, Tensor dbeta) {
            reference.layerNormBackward(x, gamma, mean, variance, eps, dy, dx, dgamma, dbeta);
        }

        @Override
        public void softmaxForward(Tensor x, Tensor y, boolean log) {
            reference.softmaxForward(x, y, log);
        }

        @Override
        public void softmaxBackward(Tensor y, Tensor dy, Tensor dx, boolean log) {
            reference.softmaxBackward(y, dy, dx, log);
        }

        @Override
        public void activationForward(Activation activation, Tensor x, Tensor y) {
            reference.activationForward(activation, x, y);
        }

        @Override
        public void activationBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
            reference.activationBackward(activation, x, dy, dx);
        }

        @Override
        public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
            reference.binary(op, a, b, out);
        }

        @Override
        public void linear(Tensor x, float alpha, float beta, Tensor out) {
            reference.linear(x, alpha, beta, out);
        }

        @Override
        public void reduce(Reduction op, Tensor x, Tensor out) {
            reference.reduce(op, x, out);
        }

        @Override
        public void copy(Tensor src, Tensor dst) {
            reference.copy(src, dst);
        }

        @Override
        public void fill(Tensor x, float value) {
            reference.fill(x, value);
        }

        @Override
        public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step) {
            reference.adamw(param, grad, m, v, step);
        }

        @Override
        public void close() {
        }
    }
}
