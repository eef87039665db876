package org.dinoj.worker.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dinoj.model.checkpoint.WeightsExport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dinoj export}: the teacher's (or student's) weights of a verified checkpoint as a
 * safetensors state dict with dinov2's or timm's key names, loadable by PyTorch.
 */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = "Writes a checkpoint's weights as safetensors with official dinov2 (or timm) state-dict keys.")
public final class ExportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "Checkpoint directory (with MANIFEST.json); its hashes are verified first.")
    private Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors",
            description = "Output file (written whole or not at all; an existing one is refused without --force).")
    private Path out;

    @Option(names = "--force", description = "Replace --out if it exists.")
    private boolean force;

    @ArgGroup(exclusive = true)
    private SideChoice side = new SideChoice();

    @Option(names = "--backbone-only", description = "Leave out the DINO and iBOT heads.")
    private boolean backboneOnly;

    @Option(names = "--naming", defaultValue = "dinov2", paramLabel = "dinov2|timm",
            description = "Key names: dinov2 (the released dinov2_vit*14 weights) or timm (vit_*_patch14[_reg4]_dinov2;"
                    + " backbone only) (default: ${DEFAULT-VALUE}).")
    private String naming;

    static final class SideChoice {
        @Option(names = "--teacher", description = "Export the EMA teacher (default; what dinov2 releases).")
        boolean teacher;

        @Option(names = "--student", description = "Export the student.")
        boolean student;
    }

    @Override
    public Integer call() throws Exception {
        WeightsExport.Naming keys = switch (naming.toLowerCase(Locale.ROOT)) {
            case "dinov2" -> WeightsExport.Naming.DINOV2;
            case "timm" -> WeightsExport.Naming.TIMM;
            default -> throw new IllegalArgumentException("--naming " + naming + " is not known: use dinov2 or timm");
        };
        WeightsExport.Side which = side.student ? WeightsExport.Side.STUDENT : WeightsExport.Side.TEACHER;
        WeightsExport.Result r = WeightsExport.export(checkpoint, out, which, backboneOnly, keys, force);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "exported the %s of %s (step %d, verified) to %s: %d tensors, %s naming%s%n",
                which.name().toLowerCase(Locale.ROOT), r.checkpoint().directory(), r.checkpoint().step(), out,
                r.tensors(), keys.name().toLowerCase(Locale.ROOT),
                r.registerTokens() > 0 ? ", " + r.registerTokens() + " register tokens" : "");
        return 0;
    }
}
