package org.dinoj.model.ssl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * The EMA teacher update of dinov2's {@code update_teacher}:
 * {@code teacher = m * teacher + (1 - m) * student} for every parameter of the backbone and the
 * heads. Teacher and student parameters are paired by name (same name, shape and dtype required).
 * With {@code m = 1} the teacher is left bit-for-bit unchanged (finite students).
 */
public final class TeacherEma {
    private final Backend backend;
    private final Tensor[] teacher;
    private final Tensor[] student;
    /** Views of one scratch buffer holding {@code (1 - m) * student}, one per pair. */
    private final Tensor[] scaledStudent;

    /**
     * @param teacher all teacher parameters (backbone, dino_head, ibot_head)
     * @param student the matching student parameters, in any order
     */
    public TeacherEma(Backend backend, TensorAllocator allocator, List<Parameter> teacher, List<Parameter> student) {
        if (teacher.size() != student.size()) {
            throw new IllegalArgumentException("teacher has " + teacher.size() + " parameters but student has "
                    + student.size() + "; the EMA needs the same architecture on both sides");
        }
        Map<String, Parameter> studentByName = new HashMap<>();
        for (Parameter p : student) {
            if (studentByName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("student parameter name " + p.name() + " appears twice");
            }
        }
        this.backend = backend;
        int n = teacher.size();
        this.teacher = new Tensor[n];
        this.student = new Tensor[n];
        this.scaledStudent = new Tensor[n];
        long maxNumel = 0;
        DType dtype = null;
        for (int i = 0; i < n; i++) {
            Parameter t = teacher.get(i);
            Parameter s = studentByName.get(t.name());
            if (s == null) {
                throw new IllegalArgumentException("teacher parameter " + t.name() + " has no student parameter of"
                        + " that name");
            }
            if (!t.value().sameShape(s.value()) || t.value().dtype() != s.value().dtype()) {
                throw new IllegalArgumentException("parameter " + t.name() + ": teacher " + t.value() + " and student "
                        + s.value() + " differ in shape or dtype");
            }
            if (dtype != null && dtype != t.value().dtype()) {
                throw new IllegalArgumentException("parameters mix dtypes " + dtype + " and " + t.value().dtype()
                        + " (at " + t.name() + "); the EMA keeps one scratch buffer and needs a single dtype");
            }
            dtype = t.value().dtype();
            this.teacher[i] = t.value();
            this.student[i] = s.value();
            maxNumel = Math.max(maxNumel, t.value().numel());
        }
        if (n > 0) {
            Tensor scratch = allocator.allocate(dtype, maxNumel);
            for (int i = 0; i < n; i++) {
                scaledStudent[i] = scratch.slice(0, 0, this.teacher[i].numel()).view(this.teacher[i].shape());
            }
        }
    }

    /** One EMA step with momentum {@code m} (the scheduled teacher momentum of this iteration). */
    public void update(double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("teacher momentum is " + momentum + "; it must lie in [0, 1]");
        }
        float m = (float) momentum;
        // 1 - m in double before rounding: m = 0.9995 must not become 1 - 0.9995f.
        float oneMinusM = (float) (1 - momentum);
        for (int i = 0; i < teacher.length; i++) {
            backend.linear(student[i], oneMinusM, 0f, scaledStudent[i]);
            backend.linear(teacher[i], m, 0f, teacher[i]);
            backend.binary(BinaryOp.ADD, teacher[i], scaledStudent[i], teacher[i]);
        }
    }
}
