package org.dinoj.model.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * Maps backbone state dicts between timm's DINOv2 ViTs ({@code vit_*_patch14_dinov2},
 * {@code vit_*_patch14_reg4_dinov2}) and dinov2's naming, which dinoj uses. Block keys
 * ({@code blocks.i.norm1}, {@code attn.qkv}, {@code ls1.gamma}, {@code mlp.fc1}, ...), the patch
 * embedding, {@code cls_token} and {@code norm} are named alike. The differences:
 * <ul>
 *   <li>registers: timm {@code reg_token [1, R, D]}, dinov2 {@code register_tokens [1, R, D]};</li>
 *   <li>timm's register models have no position slot for CLS ({@code no_embed_class}):
 *       {@code pos_embed [1, M*M, D]}, where dinov2 has {@code [1, 1 + M*M, D]} and adds
 *       {@code pos_embed[0]} to CLS. From timm the CLS slot is zero; to timm it is folded into
 *       {@code cls_token}. Both directions compute the same function;</li>
 *   <li>timm has no {@code mask_token} (it does not train with masks): absent from timm, dropped
 *       when going to timm.</li>
 * </ul>
 * Not mapped: timm's packed SwiGLU of ViT-g ({@code mlp.fc1}/{@code mlp.fc2} for dinov2's
 * {@code mlp.w12}/{@code mlp.w3}) and classifier heads; loading such a dict fails in
 * {@link StateDictLoader} naming the keys.
 */
public final class TimmDinov2Keys {
    /** dinov2 parameter that timm's DINOv2 models do not have. */
    public static final String MASK_TOKEN = "mask_token";

    private TimmDinov2Keys() {
    }

    /**
     * timm names to dinov2 names. Tensors are shared where nothing changes; a timm
     * {@code pos_embed} without the CLS slot is copied into a new {@code [1, 1 + M*M, D]} tensor
     * from {@code allocator} with a zero CLS row.
     */
    public static Map<String, Tensor> fromTimm(Map<String, Tensor> timm, TensorAllocator allocator) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : timm.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name.equals("reg_token")) {
                out.put("register_tokens", t);
            } else if (name.equals("pos_embed") && !hasClsSlot(t)) {
                long rows = t.size(1);
                long dim = t.size(2);
                Tensor withCls = allocator.allocate(t.dtype(), 1, rows + 1, dim);
                Tensor patchPart = withCls.slice(1, 1, rows);
                for (long i = 0; i < rows * dim; i++) {
                    patchPart.setFlat(i, t.getFlat(i));
                }
                out.put(name, withCls); // row 0 stays zero: CLS gets no position embedding, as in timm
            } else {
                out.put(name, t);
            }
        }
        return out;
    }

    /**
     * dinov2 names to timm names for a model with {@code registers} register tokens. With
     * registers, timm's model has no CLS position slot, so {@code cls_token + pos_embed[0]} becomes
     * timm's {@code cls_token} (new tensors from {@code allocator}); {@code mask_token} is dropped.
     */
    public static Map<String, Tensor> toTimm(Map<String, Tensor> dinov2, int registers, TensorAllocator allocator) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Tensor pos = dinov2.get("pos_embed");
        Tensor cls = dinov2.get("cls_token");
        if (pos == null || cls == null) {
            throw new IllegalArgumentException("a dinov2 backbone state dict needs pos_embed and cls_token; got "
                    + dinov2.keySet());
        }
        for (Map.Entry<String, Tensor> e : dinov2.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name.equals(MASK_TOKEN)) {
                continue;
            }
            if (name.equals("register_tokens")) {
                out.put("reg_token", t);
            } else if (registers > 0 && name.equals("pos_embed")) {
                long rows = t.size(1) - 1;
                long dim = t.size(2);
                Tensor patches = allocator.allocate(t.dtype(), 1, rows, dim);
                Tensor source = t.slice(1, 1, rows);
                for (long i = 0; i < rows * dim; i++) {
                    patches.setFlat(i, source.getFlat(i));
                }
                out.put(name, patches);
            } else if (registers > 0 && name.equals("cls_token")) {
                long dim = t.size(2);
                Tensor folded = allocator.allocate(t.dtype(), 1, 1, dim);
                for (long d = 0; d < dim; d++) {
                    folded.setFlat(d, t.getFlat(d) + pos.getFlat(d));
                }
                out.put(name, folded);
            } else {
                out.put(name, t);
            }
        }
        return out;
    }

    /** dinov2 layout {@code [1, 1 + M*M, D]}; timm's register layout is {@code [1, M*M, D]} (1 + M*M is never square). */
    private static boolean hasClsSlot(Tensor posEmbed) {
        long rows = posEmbed.size(1);
        long side = Math.round(Math.sqrt(rows));
        return side * side != rows;
    }
}
