package org.dinoj.model.ssl;

import static org.dinoj.model.ssl.DinoConfig.requirePositive;

/**
 * The {@code teacher.*} keys of dinov2's {@code ssl_default_config.yaml}, with its defaults.
 *
 * @param momentumTeacher {@code teacher.momentum_teacher}: EMA momentum at iteration 0
 * @param finalMomentumTeacher {@code teacher.final_momentum_teacher}: reached by the cosine at the last iteration
 * @param warmupTeacherTemp {@code teacher.warmup_teacher_temp}: teacher temperature at iteration 0
 * @param teacherTemp {@code teacher.teacher_temp}: temperature after the warm-up
 * @param warmupTeacherTempEpochs {@code teacher.warmup_teacher_temp_epochs}, in official epochs
 */
public record TeacherConfig(double momentumTeacher, double finalMomentumTeacher, double warmupTeacherTemp,
                            double teacherTemp, int warmupTeacherTempEpochs) {

    public TeacherConfig {
        requireMomentum("teacher.momentum_teacher", momentumTeacher);
        requireMomentum("teacher.final_momentum_teacher", finalMomentumTeacher);
        requirePositive("teacher.warmup_teacher_temp", warmupTeacherTemp);
        requirePositive("teacher.teacher_temp", teacherTemp);
        if (warmupTeacherTempEpochs < 0) {
            throw new IllegalArgumentException("teacher.warmup_teacher_temp_epochs is " + warmupTeacherTempEpochs
                    + "; it must be >= 0");
        }
    }

    public static TeacherConfig defaults() {
        return new TeacherConfig(0.992, 1.0, 0.04, 0.07, 30);
    }

    private static void requireMomentum(String key, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(key + " is " + value + "; an EMA momentum must lie in [0, 1]");
        }
    }
}
