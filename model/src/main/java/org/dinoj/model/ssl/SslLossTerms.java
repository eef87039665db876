package org.dinoj.model.ssl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss terms of one DINOv2 step, unweighted as dinov2 stores them before summing.
 *
 * @param dinoLocalCropsLoss DINO CE of local student crops vs both teacher crops, / (n local + n global terms)
 * @param dinoGlobalCropsLoss DINO CE of each global student crop vs the other teacher crop, same denominator
 * @param koleoTerm {@code koleo_loss_weight * (KoLeo(crop 0) + KoLeo(crop 1))}, added to the loss as is
 * @param ibotLoss the iBOT patch loss (after dinov2's {@code loss_scales * ibot_loss_scale = 1})
 */
public record SslLossTerms(double dinoLocalCropsLoss, double dinoGlobalCropsLoss, double koleoTerm,
                           double ibotLoss) {

    /** The back-propagated loss: {@code dino_w (local + global) + koleo term + ibot_w ibot}. */
    public double total(double dinoLossWeight, double ibotLossWeight) {
        return dinoLossWeight * (dinoLocalCropsLoss + dinoGlobalCropsLoss) + koleoTerm + ibotLossWeight * ibotLoss;
    }

    /**
     * The values dinov2 logs ({@code koleo_loss} and {@code ibot_loss} are halved, and
     * {@code total_loss} is the sum of the logged values, not the back-propagated loss).
     */
    public Map<String, Double> logged() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("dino_local_crops_loss", dinoLocalCropsLoss);
        out.put("dino_global_crops_loss", dinoGlobalCropsLoss);
        out.put("koleo_loss", koleoTerm / 2);
        out.put("ibot_loss", ibotLoss / 2);
        out.put("total_loss", dinoLocalCropsLoss + dinoGlobalCropsLoss + koleoTerm / 2 + ibotLoss / 2);
        return out;
    }

    /** Refuses the step when any term is NaN or infinite, naming the first such term. */
    public void requireFinite(long step) throws NonFiniteStepException {
        NonFiniteStepException.requireFiniteLoss(step, "dino_local_crops_loss", dinoLocalCropsLoss);
        NonFiniteStepException.requireFiniteLoss(step, "dino_global_crops_loss", dinoGlobalCropsLoss);
        NonFiniteStepException.requireFiniteLoss(step, "koleo_loss", koleoTerm);
        NonFiniteStepException.requireFiniteLoss(step, "ibot_loss", ibotLoss);
    }
}
