package org.dinoj.model.nn;

/**
 * Sizes of dinov2's DINOHead.
 *
 * @param inDim         backbone embedding dim D
 * @param prototypes    K, the output dim of the weight-normalised last layer
 * @param layers        Linear layers of the MLP (dinov2: 3)
 * @param hiddenDim     hidden width (2048)
 * @param bottleneckDim bottleneck width, input of the last layer (256; 384 for the ViT-L/g DINO head)
 * @param normEps       eps of the L2 normalisation (torch F.normalize: 1e-12; dinov2 uses 1e-6 under fp16)
 */
public record DinoHeadConfig(int inDim, int prototypes, int layers, int hiddenDim, int bottleneckDim, float normEps) {
    public DinoHeadConfig {
        if (inDim <= 0 || prototypes <= 0 || layers < 1 || hiddenDim <= 0 || bottleneckDim <= 0 || !(normEps > 0)) {
            throw new IllegalArgumentException("DINO head sizes must be positive (layers >= 1, eps > 0), got in "
                    + inDim + ", prototypes " + prototypes + ", layers " + layers + ", hidden " + hiddenDim
                    + ", bottleneck " + bottleneckDim + ", eps " + normEps);
        }
    }

    /** dinov2's defaults: 3 layers, hidden 2048, bottleneck 256, eps 1e-12, K prototypes. */
    public static DinoHeadConfig dinov2(int inDim, int prototypes) {
        return new DinoHeadConfig(inDim, prototypes, 3, 2048, 256, 1e-12f);
    }

    public DinoHeadConfig withHidden(int hidden, int bottleneck) {
        return new DinoHeadConfig(inDim, prototypes, layers, hidden, bottleneck, normEps);
    }
}
