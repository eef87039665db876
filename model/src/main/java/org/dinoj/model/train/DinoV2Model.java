package org.dinoj.model.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.nn.DinoHead;
import org.dinoj.model.nn.DinoHeadConfig;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.nn.VisionTransformer;

/**
 * dinov2's {@code SSLMetaArch} modules: the student (backbone with stochastic depth, DINO head,
 * optional separate iBOT head) and the EMA teacher (the same architecture without stochastic
 * depth, initialised as an exact copy of the student).
 *
 * <p>Names follow dinov2's state dict: sub-modules {@code backbone}, {@code dino_head},
 * {@code ibot_head}; the checkpoint keys are {@code student.<sub-module>.<name>} and
 * {@code teacher.<sub-module>.<name>}.
 */
public final class DinoV2Model {
    public static final String BACKBONE = "backbone";
    public static final String DINO_HEAD = "dino_head";
    public static final String IBOT_HEAD = "ibot_head";

    private final VisionTransformer studentBackbone;
    private final VisionTransformer teacherBackbone;
    private final DinoHead studentDinoHead;
    private final DinoHead teacherDinoHead;
    private final DinoHead studentIbotHead;
    private final DinoHead teacherIbotHead;
    private final Map<String, List<Parameter>> studentModules = new LinkedHashMap<>();
    private final Map<String, List<Parameter>> teacherModules = new LinkedHashMap<>();

    /**
     * Builds the student from {@code seed} (backbone, then heads, each from its own derived seed)
     * and copies it into the teacher.
     *
     * @param ibotHead the separate iBOT head's sizes, or null to share the DINO head
     */
    public DinoV2Model(LayerContext context, ViTConfig vit, DinoHeadConfig dinoHead, DinoHeadConfig ibotHead, long seed) {
        this.studentBackbone = new VisionTransformer(context, vit, seed);
        this.teacherBackbone = new VisionTransformer(context, vit.withDropPathRate(0), seed);
        this.studentDinoHead = new DinoHead(context, dinoHead, seed + 1);
        this.teacherDinoHead = new DinoHead(context, dinoHead, seed + 1);
        this.studentIbotHead = ibotHead == null ? null : new DinoHead(context, ibotHead, seed + 2);
        this.teacherIbotHead = ibotHead == null ? null : new DinoHead(context, ibotHead, seed + 2);
        studentModules.put(BACKBONE, studentBackbone.parameters());
        studentModules.put(DINO_HEAD, studentDinoHead.parameters());
        teacherModules.put(BACKBONE, teacherBackbone.parameters());
        teacherModules.put(DINO_HEAD, teacherDinoHead.parameters());
        if (studentIbotHead != null) {
            studentModules.put(IBOT_HEAD, studentIbotHead.parameters());
            teacherModules.put(IBOT_HEAD, teacherIbotHead.parameters());
        }
        copyStudentIntoTeacher(context.backend());
    }

    /** dinov2's {@code prepare_for_distributed_training}: teacher = student, parameter for parameter. */
    public void copyStudentIntoTeacher(Backend backend) {
        List<Parameter> student = studentParameters();
        List<Parameter> teacher = teacherParameters();
        for (int i = 0; i < student.size(); i++) {
            backend.copy(student.get(i).value(), teacher.get(i).value());
        }
    }

    public VisionTransformer studentBackbone() {
        return studentBackbone;
    }

    public VisionTransformer teacherBackbone() {
        return teacherBackbone;
    }

    public DinoHead studentDinoHead() {
        return studentDinoHead;
    }

    public DinoHead teacherDinoHead() {
        return teacherDinoHead;
    }

    /** The separate iBOT head, or null when the DINO head serves the patch tokens too. */
    public DinoHead studentIbotHead() {
        return studentIbotHead;
    }

    public DinoHead teacherIbotHead() {
        return teacherIbotHead;
    }

    public boolean separateIbotHead() {
        return studentIbotHead != null;
    }

    /** Sub-module name -> its student parameters (names without prefix), in state-dict order. */
    public Map<String, List<Parameter>> studentModules() {
        return studentModules;
    }

    public Map<String, List<Parameter>> teacherModules() {
        return teacherModules;
    }

    /** Every student parameter named {@code <sub-module>.<name>}. */
    public List<Parameter> studentParameters() {
        return prefixed(studentModules, "");
    }

    /** Every teacher parameter named {@code <sub-module>.<name>} (the names the student's have). */
    public List<Parameter> teacherParameters() {
        return prefixed(teacherModules, "");
    }

    /** Checkpoint key -> parameter: {@code student.<sub-module>.<name>}, then {@code teacher.<sub-module>.<name>}. */
    public Map<String, Parameter> checkpointParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Parameter p : prefixed(studentModules, "student.")) {
            out.put(p.name(), p);
        }
        for (Parameter p : prefixed(teacherModules, "teacher.")) {
            out.put(p.name(), p);
        }
        return out;
    }

    private static List<Parameter> prefixed(Map<String, List<Parameter>> modules, String prefix) {
        List<Parameter> out = new ArrayList<>();
        modules.forEach((module, params) -> {
            for (Parameter p : params) {
                out.add(p.prefixed(prefix + module + "."));
            }
        });
        return List.copyOf(out);
    }
}
