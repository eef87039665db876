/*
 * Prints the oneDNN constants that dinoj binds, read by the C compiler from the real headers, as
 * Java declarations in jextract's shape. Used once to write (and later to verify) the constants in
 * org.dinoj.bindings.dnnl.dnnl_h; see regenerate.sh (--check-constants).
 *
 *   gcc -I<include dir of the dnnl jar> -o /tmp/check_constants check_constants.c && /tmp/check_constants
 */
#include <stdio.h>
#include <oneapi/dnnl/dnnl.h>

#define PRINT(name) printf("%s %ld\n", #name, (long) (name))

int main(void) {
    PRINT(dnnl_success);
    PRINT(dnnl_out_of_memory);
    PRINT(dnnl_invalid_arguments);
    PRINT(dnnl_unimplemented);
    PRINT(dnnl_last_impl_reached);
    PRINT(dnnl_runtime_error);
    PRINT(dnnl_not_required);
    PRINT(dnnl_invalid_graph);
    PRINT(dnnl_invalid_graph_op);
    PRINT(dnnl_invalid_shape);
    PRINT(dnnl_invalid_data_type);
    PRINT(dnnl_data_type_undef);
    PRINT(dnnl_f16);
    PRINT(dnnl_bf16);
    PRINT(dnnl_f32);
    PRINT(dnnl_cpu_isa_avx2);
    PRINT(dnnl_cpu_isa_avx2_vnni_2);
    PRINT(dnnl_cpu_isa_avx512_core);
    PRINT(dnnl_cpu_isa_avx512_core_bf16);
    PRINT(dnnl_cpu_isa_avx10_1_512_amx);
    PRINT(dnnl_s32);
    PRINT(dnnl_s8);
    PRINT(dnnl_u8);
    PRINT(dnnl_f64);
    PRINT(dnnl_any_engine);
    PRINT(dnnl_cpu);
    PRINT(dnnl_gpu);
    PRINT(dnnl_stream_in_order);
    PRINT(dnnl_stream_out_of_order);
    PRINT(dnnl_stream_default_flags);
    PRINT(dnnl_format_tag_undef);
    PRINT(dnnl_format_tag_any);
    PRINT(dnnl_a);
    PRINT(dnnl_ab);
    PRINT(dnnl_abc);
    PRINT(dnnl_abcd);
    PRINT(dnnl_prop_kind_undef);
    PRINT(dnnl_forward_training);
    PRINT(dnnl_forward_inference);
    PRINT(dnnl_backward);
    PRINT(dnnl_backward_data);
    PRINT(dnnl_backward_weights);
    PRINT(dnnl_eltwise_relu);
    PRINT(dnnl_eltwise_linear);
    PRINT(dnnl_eltwise_swish);
    PRINT(dnnl_eltwise_gelu_erf);
    PRINT(dnnl_binary_add);
    PRINT(dnnl_binary_mul);
    PRINT(dnnl_binary_max);
    PRINT(dnnl_binary_min);
    PRINT(dnnl_binary_div);
    PRINT(dnnl_binary_sub);
    PRINT(dnnl_reduction_max);
    PRINT(dnnl_reduction_min);
    PRINT(dnnl_reduction_sum);
    PRINT(dnnl_reduction_mean);
    PRINT(dnnl_reduction_norm_lp_power_p_sum);
    PRINT(dnnl_softmax_accurate);
    PRINT(dnnl_softmax_log);
    PRINT(dnnl_normalization_flags_none);
    PRINT(dnnl_use_global_stats);
    PRINT(dnnl_use_scale);
    PRINT(dnnl_use_shift);
    PRINT(dnnl_query_undef);
    PRINT(dnnl_query_memory_consumption_s64);
    PRINT(dnnl_query_impl_info_str);
    PRINT(dnnl_query_src_md);
    PRINT(dnnl_query_dst_md);
    PRINT(dnnl_query_scratchpad_md);
    PRINT(dnnl_query_ndims_s32);
    PRINT(dnnl_scratchpad_mode_library);
    PRINT(dnnl_scratchpad_mode_user);
    PRINT(dnnl_fpmath_mode_strict);
    PRINT(dnnl_fpmath_mode_bf16);
    PRINT(dnnl_fpmath_mode_f16);
    PRINT(dnnl_fpmath_mode_any);
    PRINT(dnnl_fpmath_mode_tf32);
    PRINT(DNNL_MAX_NDIMS);
    PRINT(DNNL_ARG_UNDEF);
    PRINT(DNNL_ARG_SRC);
    PRINT(DNNL_ARG_SRC_0);
    PRINT(DNNL_ARG_SRC_1);
    PRINT(DNNL_ARG_FROM);
    PRINT(DNNL_ARG_DST);
    PRINT(DNNL_ARG_TO);
    PRINT(DNNL_ARG_WEIGHTS);
    PRINT(DNNL_ARG_BIAS);
    PRINT(DNNL_ARG_MEAN);
    PRINT(DNNL_ARG_VARIANCE);
    PRINT(DNNL_ARG_SCALE);
    PRINT(DNNL_ARG_SHIFT);
    PRINT(DNNL_ARG_SCRATCHPAD);
    PRINT(DNNL_ARG_DIFF_SRC);
    PRINT(DNNL_ARG_DIFF_DST);
    PRINT(DNNL_ARG_DIFF_SCALE);
    PRINT(DNNL_ARG_DIFF_SHIFT);
    PRINT(DNNL_ARG_ATTR_SCALES);
    PRINT(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE);
    return 0;
}
