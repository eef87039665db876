package org.dinoj.model.backend.cuda;

/** Every kernel dinoj launches, with the compilation unit that defines it. */
enum Kernel {
    FILL("elementwise.cu", "dinoj_fill"),
    COPY("elementwise.cu", "dinoj_copy"),
    LINEAR("elementwise.cu", "dinoj_linear"),
    BINARY("elementwise.cu", "dinoj_binary"),
    ACTIVATION_FORWARD("elementwise.cu", "dinoj_activation_forward"),
    ACTIVATION_BACKWARD("elementwise.cu", "dinoj_activation_backward"),
    ADAMW("elementwise.cu", "dinoj_adamw"),
    COPY_ROWS("elementwise.cu", "dinoj_copy_rows"),
    LAYER_NORM_FORWARD("rows.cu", "dinoj_layer_norm_forward"),
    LAYER_NORM_BACKWARD_DX("rows.cu", "dinoj_layer_norm_backward_dx"),
    LAYER_NORM_BACKWARD_PARAMS("rows.cu", "dinoj_layer_norm_backward_params"),
    SUM_CHUNKS("rows.cu", "dinoj_sum_chunks"),
    SOFTMAX_FORWARD("rows.cu", "dinoj_softmax_forward"),
    SOFTMAX_BACKWARD("rows.cu", "dinoj_softmax_backward"),
    SOFTMAX_PARTIAL("rows.cu", "dinoj_softmax_partial"),
    SOFTMAX_FINISH("rows.cu", "dinoj_softmax_finish"),
    L2_NORMALIZE_FORWARD("rows.cu", "dinoj_l2_normalize_forward"),
    L2_NORMALIZE_BACKWARD("rows.cu", "dinoj_l2_normalize_backward"),
    REDUCE("reduce.cu", "dinoj_reduce"),
    REDUCE_PARTIAL("reduce.cu", "dinoj_reduce_partial"),
    REDUCE_FINISH("reduce.cu", "dinoj_reduce_finish"),
    REDUCE_COLUMNS_PARTIAL("reduce.cu", "dinoj_reduce_columns_partial"),
    REDUCE_COLUMNS_FINISH("reduce.cu", "dinoj_reduce_columns_finish"),
    ATTENTION_FORWARD_HD16("attention.cu", "dinoj_attention_forward_hd16"),
    ATTENTION_FORWARD_HD32("attention.cu", "dinoj_attention_forward_hd32"),
    ATTENTION_FORWARD_HD64("attention.cu", "dinoj_attention_forward_hd64"),
    ATTENTION_FORWARD_HD128("attention.cu", "dinoj_attention_forward_hd128"),
    ATTENTION_BACKWARD_DELTA("attention.cu", "dinoj_attention_backward_delta"),
    ATTENTION_BACKWARD_DQ_HD16("attention.cu", "dinoj_attention_backward_dq_hd16"),
    ATTENTION_BACKWARD_DQ_HD32("attention.cu", "dinoj_attention_backward_dq_hd32"),
    ATTENTION_BACKWARD_DQ_HD64("attention.cu", "dinoj_attention_backward_dq_hd64"),
    ATTENTION_BACKWARD_DQ_HD128("attention.cu", "dinoj_attention_backward_dq_hd128"),
    ATTENTION_BACKWARD_DKV_HD16("attention.cu", "dinoj_attention_backward_dkv_hd16"),
    ATTENTION_BACKWARD_DKV_HD32("attention.cu", "dinoj_attention_backward_dkv_hd32"),
    ATTENTION_BACKWARD_DKV_HD64("attention.cu", "dinoj_attention_backward_dkv_hd64"),
    ATTENTION_BACKWARD_DKV_HD128("attention.cu", "dinoj_attention_backward_dkv_hd128");

    final String unit;
    final String symbol;

    Kernel(String unit, String symbol) {
        this.unit = unit;
        this.symbol = symbol;
    }
}
