// Generated in the shape of jextract (see bindings/jextract/regenerate.sh); edit the argument file, not this class.

package org.dinoj.bindings.dnnl;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.dinoj.nativelib.DnnlLibrary;

/** oneDNN 3.8.1 C API (oneapi/dnnl/dnnl.h, dnnl_debug.h): the functions, enum values and macros dinoj uses. */
@SuppressWarnings("unused")
public class dnnl_h {

    dnnl_h() {
        // Should not be called directly
    }

    static final Arena LIBRARY_ARENA = Arena.ofAuto();
    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
        String traceArgs = Arrays.stream(args)
                .map(Object::toString)
                .collect(Collectors.joining(", "));
        System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
    }

    /** libdnnl as resolved by org.dinoj.nativelib.DnnlLibrary (extracted from the bundled jar, or DINOJ_DNNL_LIBRARY). */
    static final SymbolLookup SYMBOL_LOOKUP = DnnlLibrary.load().dnnl();

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;

    private static final int dnnl_success = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_success = 0 } */
    public static int dnnl_success() {
        return dnnl_success;
    }

    private static final int dnnl_out_of_memory = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_out_of_memory = 1 } */
    public static int dnnl_out_of_memory() {
        return dnnl_out_of_memory;
    }

    private static final int dnnl_invalid_arguments = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_invalid_arguments = 2 } */
    public static int dnnl_invalid_arguments() {
        return dnnl_invalid_arguments;
    }

    private static final int dnnl_unimplemented = (int) 3L;

    /** {@snippet lang=c : enum ... dnnl_unimplemented = 3 } */
    public static int dnnl_unimplemented() {
        return dnnl_unimplemented;
    }

    private static final int dnnl_last_impl_reached = (int) 4L;

    /** {@snippet lang=c : enum ... dnnl_last_impl_reached = 4 } */
    public static int dnnl_last_impl_reached() {
        return dnnl_last_impl_reached;
    }

    private static final int dnnl_runtime_error = (int) 5L;

    /** {@snippet lang=c : enum ... dnnl_runtime_error = 5 } */
    public static int dnnl_runtime_error() {
        return dnnl_runtime_error;
    }

    private static final int dnnl_not_required = (int) 6L;

    /** {@snippet lang=c : enum ... dnnl_not_required = 6 } */
    public static int dnnl_not_required() {
        return dnnl_not_required;
    }

    private static final int dnnl_invalid_graph = (int) 7L;

    /** {@snippet lang=c : enum ... dnnl_invalid_graph = 7 } */
    public static int dnnl_invalid_graph() {
        return dnnl_invalid_graph;
    }

    private static final int dnnl_invalid_graph_op = (int) 8L;

    /** {@snippet lang=c : enum ... dnnl_invalid_graph_op = 8 } */
    public static int dnnl_invalid_graph_op() {
        return dnnl_invalid_graph_op;
    }

    private static final int dnnl_invalid_shape = (int) 9L;

    /** {@snippet lang=c : enum ... dnnl_invalid_shape = 9 } */
    public static int dnnl_invalid_shape() {
        return dnnl_invalid_shape;
    }

    private static final int dnnl_invalid_data_type = (int) 10L;

    /** {@snippet lang=c : enum ... dnnl_invalid_data_type = 10 } */
    public static int dnnl_invalid_data_type() {
        return dnnl_invalid_data_type;
    }

    private static final int dnnl_data_type_undef = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_data_type_undef = 0 } */
    public static int dnnl_data_type_undef() {
        return dnnl_data_type_undef;
    }

    private static final int dnnl_f16 = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_f16 = 1 } */
    public static int dnnl_f16() {
        return dnnl_f16;
    }

    private static final int dnnl_bf16 = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_bf16 = 2 } */
    public static int dnnl_bf16() {
        return dnnl_bf16;
    }

    private static final int dnnl_f32 = (int) 3L;

    /** {@snippet lang=c : enum ... dnnl_f32 = 3 } */
    public static int dnnl_f32() {
        return dnnl_f32;
    }

    private static final int dnnl_s32 = (int) 4L;

    /** {@snippet lang=c : enum ... dnnl_s32 = 4 } */
    public static int dnnl_s32() {
        return dnnl_s32;
    }

    private static final int dnnl_s8 = (int) 5L;

    /** {@snippet lang=c : enum ... dnnl_s8 = 5 } */
    public static int dnnl_s8() {
        return dnnl_s8;
    }

    private static final int dnnl_u8 = (int) 6L;

    /** {@snippet lang=c : enum ... dnnl_u8 = 6 } */
    public static int dnnl_u8() {
        return dnnl_u8;
    }

    private static final int dnnl_f64 = (int) 7L;

    /** {@snippet lang=c : enum ... dnnl_f64 = 7 } */
    public static int dnnl_f64() {
        return dnnl_f64;
    }

    private static final int dnnl_any_engine = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_any_engine = 0 } */
    public static int dnnl_any_engine() {
        return dnnl_any_engine;
    }

    private static final int dnnl_cpu = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_cpu = 1 } */
    public static int dnnl_cpu() {
        return dnnl_cpu;
    }

    private static final int dnnl_gpu = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_gpu = 2 } */
    public static int dnnl_gpu() {
        return dnnl_gpu;
    }

    private static final int dnnl_stream_in_order = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_stream_in_order = 1 } */
    public static int dnnl_stream_in_order() {
        return dnnl_stream_in_order;
    }

    private static final int dnnl_stream_out_of_order = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_stream_out_of_order = 2 } */
    public static int dnnl_stream_out_of_order() {
        return dnnl_stream_out_of_order;
    }

    private static final int dnnl_stream_default_flags = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_stream_default_flags = 1 } */
    public static int dnnl_stream_default_flags() {
        return dnnl_stream_default_flags;
    }

    private static final int dnnl_format_tag_undef = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_format_tag_undef = 0 } */
    public static int dnnl_format_tag_undef() {
        return dnnl_format_tag_undef;
    }

    private static final int dnnl_format_tag_any = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_format_tag_any = 1 } */
    public static int dnnl_format_tag_any() {
        return dnnl_format_tag_any;
    }

    private static final int dnnl_a = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_a = 2 } */
    public static int dnnl_a() {
        return dnnl_a;
    }

    private static final int dnnl_ab = (int) 3L;

    /** {@snippet lang=c : enum ... dnnl_ab = 3 } */
    public static int dnnl_ab() {
        return dnnl_ab;
    }

    private static final int dnnl_abc = (int) 4L;

    /** {@snippet lang=c : enum ... dnnl_abc = 4 } */
    public static int dnnl_abc() {
        return dnnl_abc;
    }

    private static final int dnnl_abcd = (int) 5L;

    /** {@snippet lang=c : enum ... dnnl_abcd = 5 } */
    public static int dnnl_abcd() {
        return dnnl_abcd;
    }

    private static final int dnnl_prop_kind_undef = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_prop_kind_undef = 0 } */
    public static int dnnl_prop_kind_undef() {
        return dnnl_prop_kind_undef;
    }

    private static final int dnnl_forward_training = (int) 64L;

    /** {@snippet lang=c : enum ... dnnl_forward_training = 64 } */
    public static int dnnl_forward_training() {
        return dnnl_forward_training;
    }

    private static final int dnnl_forward_inference = (int) 96L;

    /** {@snippet lang=c : enum ... dnnl_forward_inference = 96 } */
    public static int dnnl_forward_inference() {
        return dnnl_forward_inference;
    }

    private static final int dnnl_backward = (int) 128L;

    /** {@snippet lang=c : enum ... dnnl_backward = 128 } */
    public static int dnnl_backward() {
        return dnnl_backward;
    }

    private static final int dnnl_backward_data = (int) 160L;

    /** {@snippet lang=c : enum ... dnnl_backward_data = 160 } */
    public static int dnnl_backward_data() {
        return dnnl_backward_data;
    }

    private static final int dnnl_backward_weights = (int) 192L;

    /** {@snippet lang=c : enum ... dnnl_backward_weights = 192 } */
    public static int dnnl_backward_weights() {
        return dnnl_backward_weights;
    }

    private static final int dnnl_eltwise_relu = (int) 32L;

    /** {@snippet lang=c : enum ... dnnl_eltwise_relu = 32 } */
    public static int dnnl_eltwise_relu() {
        return dnnl_eltwise_relu;
    }

    private static final int dnnl_eltwise_linear = (int) 38L;

    /** {@snippet lang=c : enum ... dnnl_eltwise_linear = 38 } */
    public static int dnnl_eltwise_linear() {
        return dnnl_eltwise_linear;
    }

    private static final int dnnl_eltwise_swish = (int) 44L;

    /** {@snippet lang=c : enum ... dnnl_eltwise_swish = 44 } */
    public static int dnnl_eltwise_swish() {
        return dnnl_eltwise_swish;
    }

    private static final int dnnl_eltwise_gelu_erf = (int) 49L;

    /** {@snippet lang=c : enum ... dnnl_eltwise_gelu_erf = 49 } */
    public static int dnnl_eltwise_gelu_erf() {
        return dnnl_eltwise_gelu_erf;
    }

    private static final int dnnl_binary_add = (int) 131056L;

    /** {@snippet lang=c : enum ... dnnl_binary_add = 131056 } */
    public static int dnnl_binary_add() {
        return dnnl_binary_add;
    }

    private static final int dnnl_binary_mul = (int) 131057L;

    /** {@snippet lang=c : enum ... dnnl_binary_mul = 131057 } */
    public static int dnnl_binary_mul() {
        return dnnl_binary_mul;
    }

    private static final int dnnl_binary_max = (int) 131058L;

    /** {@snippet lang=c : enum ... dnnl_binary_max = 131058 } */
    public static int dnnl_binary_max() {
        return dnnl_binary_max;
    }

    private static final int dnnl_binary_min = (int) 131059L;

    /** {@snippet lang=c : enum ... dnnl_binary_min = 131059 } */
    public static int dnnl_binary_min() {
        return dnnl_binary_min;
    }

    private static final int dnnl_binary_div = (int) 131060L;

    /** {@snippet lang=c : enum ... dnnl_binary_div = 131060 } */
    public static int dnnl_binary_div() {
        return dnnl_binary_div;
    }

    private static final int dnnl_binary_sub = (int) 131061L;

    /** {@snippet lang=c : enum ... dnnl_binary_sub = 131061 } */
    public static int dnnl_binary_sub() {
        return dnnl_binary_sub;
    }

    private static final int dnnl_reduction_max = (int) 196594L;

    /** {@snippet lang=c : enum ... dnnl_reduction_max = 196594 } */
    public static int dnnl_reduction_max() {
        return dnnl_reduction_max;
    }

    private static final int dnnl_reduction_min = (int) 196595L;

    /** {@snippet lang=c : enum ... dnnl_reduction_min = 196595 } */
    public static int dnnl_reduction_min() {
        return dnnl_reduction_min;
    }

    private static final int dnnl_reduction_sum = (int) 196596L;

    /** {@snippet lang=c : enum ... dnnl_reduction_sum = 196596 } */
    public static int dnnl_reduction_sum() {
        return dnnl_reduction_sum;
    }

    private static final int dnnl_reduction_mean = (int) 196598L;

    /** {@snippet lang=c : enum ... dnnl_reduction_mean = 196598 } */
    public static int dnnl_reduction_mean() {
        return dnnl_reduction_mean;
    }

    private static final int dnnl_reduction_norm_lp_power_p_sum = (int) 196602L;

    /** {@snippet lang=c : enum ... dnnl_reduction_norm_lp_power_p_sum = 196602 } */
    public static int dnnl_reduction_norm_lp_power_p_sum() {
        return dnnl_reduction_norm_lp_power_p_sum;
    }

    private static final int dnnl_softmax_accurate = (int) 196608L;

    /** {@snippet lang=c : enum ... dnnl_softmax_accurate = 196608 } */
    public static int dnnl_softmax_accurate() {
        return dnnl_softmax_accurate;
    }

    private static final int dnnl_softmax_log = (int) 196609L;

    /** {@snippet lang=c : enum ... dnnl_softmax_log = 196609 } */
    public static int dnnl_softmax_log() {
        return dnnl_softmax_log;
    }

    private static final int dnnl_normalization_flags_none = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_normalization_flags_none = 0 } */
    public static int dnnl_normalization_flags_none() {
        return dnnl_normalization_flags_none;
    }

    private static final int dnnl_use_global_stats = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_use_global_stats = 1 } */
    public static int dnnl_use_global_stats() {
        return dnnl_use_global_stats;
    }

    private static final int dnnl_use_scale = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_use_scale = 2 } */
    public static int dnnl_use_scale() {
        return dnnl_use_scale;
    }

    private static final int dnnl_use_shift = (int) 4L;

    /** {@snippet lang=c : enum ... dnnl_use_shift = 4 } */
    public static int dnnl_use_shift() {
        return dnnl_use_shift;
    }

    private static final int dnnl_query_undef = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_query_undef = 0 } */
    public static int dnnl_query_undef() {
        return dnnl_query_undef;
    }

    private static final int dnnl_query_memory_consumption_s64 = (int) 6L;

    /** {@snippet lang=c : enum ... dnnl_query_memory_consumption_s64 = 6 } */
    public static int dnnl_query_memory_consumption_s64() {
        return dnnl_query_memory_consumption_s64;
    }

    private static final int dnnl_query_impl_info_str = (int) 8L;

    /** {@snippet lang=c : enum ... dnnl_query_impl_info_str = 8 } */
    public static int dnnl_query_impl_info_str() {
        return dnnl_query_impl_info_str;
    }

    private static final int dnnl_query_src_md = (int) 129L;

    /** {@snippet lang=c : enum ... dnnl_query_src_md = 129 } */
    public static int dnnl_query_src_md() {
        return dnnl_query_src_md;
    }

    private static final int dnnl_query_dst_md = (int) 133L;

    /** {@snippet lang=c : enum ... dnnl_query_dst_md = 133 } */
    public static int dnnl_query_dst_md() {
        return dnnl_query_dst_md;
    }

    private static final int dnnl_query_scratchpad_md = (int) 136L;

    /** {@snippet lang=c : enum ... dnnl_query_scratchpad_md = 136 } */
    public static int dnnl_query_scratchpad_md() {
        return dnnl_query_scratchpad_md;
    }

    private static final int dnnl_query_ndims_s32 = (int) 256L;

    /** {@snippet lang=c : enum ... dnnl_query_ndims_s32 = 256 } */
    public static int dnnl_query_ndims_s32() {
        return dnnl_query_ndims_s32;
    }

    private static final int dnnl_scratchpad_mode_library = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_scratchpad_mode_library = 0 } */
    public static int dnnl_scratchpad_mode_library() {
        return dnnl_scratchpad_mode_library;
    }

    private static final int dnnl_scratchpad_mode_user = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_scratchpad_mode_user = 1 } */
    public static int dnnl_scratchpad_mode_user() {
        return dnnl_scratchpad_mode_user;
    }

    private static final int dnnl_fpmath_mode_strict = (int) 0L;

    /** {@snippet lang=c : enum ... dnnl_fpmath_mode_strict = 0 } */
    public static int dnnl_fpmath_mode_strict() {
        return dnnl_fpmath_mode_strict;
    }

    private static final int dnnl_fpmath_mode_bf16 = (int) 1L;

    /** {@snippet lang=c : enum ... dnnl_fpmath_mode_bf16 = 1 } */
    public static int dnnl_fpmath_mode_bf16() {
        return dnnl_fpmath_mode_bf16;
    }

    private static final int dnnl_fpmath_mode_f16 = (int) 2L;

    /** {@snippet lang=c : enum ... dnnl_fpmath_mode_f16 = 2 } */
    public static int dnnl_fpmath_mode_f16() {
        return dnnl_fpmath_mode_f16;
    }

    private static final int dnnl_fpmath_mode_any = (int) 3L;

    /** {@snippet lang=c : enum ... dnnl_fpmath_mode_any = 3 } */
    public static int dnnl_fpmath_mode_any() {
        return dnnl_fpmath_mode_any;
    }

    private static final int dnnl_fpmath_mode_tf32 = (int) 4L;

    /** {@snippet lang=c : enum ... dnnl_fpmath_mode_tf32 = 4 } */
    public static int dnnl_fpmath_mode_tf32() {
        return dnnl_fpmath_mode_tf32;
    }

    private static final int dnnl_cpu_isa_avx2 = (int) 7L;

    /** {@snippet lang=c : enum ... dnnl_cpu_isa_avx2 = 7 } */
    public static int dnnl_cpu_isa_avx2() {
        return dnnl_cpu_isa_avx2;
    }

    private static final int dnnl_cpu_isa_avx2_vnni_2 = (int) 31L;

    /** {@snippet lang=c : enum ... dnnl_cpu_isa_avx2_vnni_2 = 31 } */
    public static int dnnl_cpu_isa_avx2_vnni_2() {
        return dnnl_cpu_isa_avx2_vnni_2;
    }

    private static final int dnnl_cpu_isa_avx512_core = (int) 39L;

    /** {@snippet lang=c : enum ... dnnl_cpu_isa_avx512_core = 39 } */
    public static int dnnl_cpu_isa_avx512_core() {
        return dnnl_cpu_isa_avx512_core;
    }

    private static final int dnnl_cpu_isa_avx512_core_bf16 = (int) 231L;

    /** {@snippet lang=c : enum ... dnnl_cpu_isa_avx512_core_bf16 = 231 } */
    public static int dnnl_cpu_isa_avx512_core_bf16() {
        return dnnl_cpu_isa_avx512_core_bf16;
    }

    private static final int dnnl_cpu_isa_avx10_1_512_amx = (int) 4079L;

    /** {@snippet lang=c : enum ... dnnl_cpu_isa_avx10_1_512_amx = 4079 } */
    public static int dnnl_cpu_isa_avx10_1_512_amx() {
        return dnnl_cpu_isa_avx10_1_512_amx;
    }

    private static final int DNNL_MAX_NDIMS = (int) 12L;

    /** {@snippet lang=c : #define DNNL_MAX_NDIMS 12 } */
    public static int DNNL_MAX_NDIMS() {
        return DNNL_MAX_NDIMS;
    }

    private static final int DNNL_ARG_UNDEF = (int) 0L;

    /** {@snippet lang=c : #define DNNL_ARG_UNDEF 0 } */
    public static int DNNL_ARG_UNDEF() {
        return DNNL_ARG_UNDEF;
    }

    private static final int DNNL_ARG_SRC = (int) 1L;

    /** {@snippet lang=c : #define DNNL_ARG_SRC 1 } */
    public static int DNNL_ARG_SRC() {
        return DNNL_ARG_SRC;
    }

    private static final int DNNL_ARG_SRC_0 = (int) 1L;

    /** {@snippet lang=c : #define DNNL_ARG_SRC_0 1 } */
    public static int DNNL_ARG_SRC_0() {
        return DNNL_ARG_SRC_0;
    }

    private static final int DNNL_ARG_SRC_1 = (int) 2L;

    /** {@snippet lang=c : #define DNNL_ARG_SRC_1 2 } */
    public static int DNNL_ARG_SRC_1() {
        return DNNL_ARG_SRC_1;
    }

    private static final int DNNL_ARG_FROM = (int) 1L;

    /** {@snippet lang=c : #define DNNL_ARG_FROM 1 } */
    public static int DNNL_ARG_FROM() {
        return DNNL_ARG_FROM;
    }

    private static final int DNNL_ARG_DST = (int) 17L;

    /** {@snippet lang=c : #define DNNL_ARG_DST 17 } */
    public static int DNNL_ARG_DST() {
        return DNNL_ARG_DST;
    }

    private static final int DNNL_ARG_TO = (int) 17L;

    /** {@snippet lang=c : #define DNNL_ARG_TO 17 } */
    public static int DNNL_ARG_TO() {
        return DNNL_ARG_TO;
    }

    private static final int DNNL_ARG_WEIGHTS = (int) 33L;

    /** {@snippet lang=c : #define DNNL_ARG_WEIGHTS 33 } */
    public static int DNNL_ARG_WEIGHTS() {
        return DNNL_ARG_WEIGHTS;
    }

    private static final int DNNL_ARG_BIAS = (int) 41L;

    /** {@snippet lang=c : #define DNNL_ARG_BIAS 41 } */
    public static int DNNL_ARG_BIAS() {
        return DNNL_ARG_BIAS;
    }

    private static final int DNNL_ARG_MEAN = (int) 49L;

    /** {@snippet lang=c : #define DNNL_ARG_MEAN 49 } */
    public static int DNNL_ARG_MEAN() {
        return DNNL_ARG_MEAN;
    }

    private static final int DNNL_ARG_VARIANCE = (int) 50L;

    /** {@snippet lang=c : #define DNNL_ARG_VARIANCE 50 } */
    public static int DNNL_ARG_VARIANCE() {
        return DNNL_ARG_VARIANCE;
    }

    private static final int DNNL_ARG_SCALE = (int) 51L;

    /** {@snippet lang=c : #define DNNL_ARG_SCALE 51 } */
    public static int DNNL_ARG_SCALE() {
        return DNNL_ARG_SCALE;
    }

    private static final int DNNL_ARG_SHIFT = (int) 52L;

    /** {@snippet lang=c : #define DNNL_ARG_SHIFT 52 } */
    public static int DNNL_ARG_SHIFT() {
        return DNNL_ARG_SHIFT;
    }

    private static final int DNNL_ARG_SCRATCHPAD = (int) 80L;

    /** {@snippet lang=c : #define DNNL_ARG_SCRATCHPAD 80 } */
    public static int DNNL_ARG_SCRATCHPAD() {
        return DNNL_ARG_SCRATCHPAD;
    }

    private static final int DNNL_ARG_DIFF_SRC = (int) 129L;

    /** {@snippet lang=c : #define DNNL_ARG_DIFF_SRC 129 } */
    public static int DNNL_ARG_DIFF_SRC() {
        return DNNL_ARG_DIFF_SRC;
    }

    private static final int DNNL_ARG_DIFF_DST = (int) 145L;

    /** {@snippet lang=c : #define DNNL_ARG_DIFF_DST 145 } */
    public static int DNNL_ARG_DIFF_DST() {
        return DNNL_ARG_DIFF_DST;
    }

    private static final int DNNL_ARG_DIFF_SCALE = (int) 255L;

    /** {@snippet lang=c : #define DNNL_ARG_DIFF_SCALE 255 } */
    public static int DNNL_ARG_DIFF_SCALE() {
        return DNNL_ARG_DIFF_SCALE;
    }

    private static final int DNNL_ARG_DIFF_SHIFT = (int) 256L;

    /** {@snippet lang=c : #define DNNL_ARG_DIFF_SHIFT 256 } */
    public static int DNNL_ARG_DIFF_SHIFT() {
        return DNNL_ARG_DIFF_SHIFT;
    }

    private static final int DNNL_ARG_ATTR_SCALES = (int) 4096L;

    /** {@snippet lang=c : #define DNNL_ARG_ATTR_SCALES 4096 } */
    public static int DNNL_ARG_ATTR_SCALES() {
        return DNNL_ARG_ATTR_SCALES;
    }

    private static final int DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE = (int) 32768L;

    /** {@snippet lang=c : #define DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE 32768 } */
    public static int DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE() {
        return DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
    }

    private static class dnnl_engine_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_LONG
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_engine_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_engine_create. */
    public static FunctionDescriptor dnnl_engine_create$descriptor() {
        return dnnl_engine_create.DESC;
    }

    /** Downcall method handle for dnnl_engine_create. */
    public static MethodHandle dnnl_engine_create$handle() {
        return dnnl_engine_create.HANDLE;
    }

    /** Address for dnnl_engine_create. */
    public static MemorySegment dnnl_engine_create$address() {
        return dnnl_engine_create.ADDR;
    }

    public static int dnnl_engine_create(MemorySegment engine, int kind, long index) {
        var mh$ = dnnl_engine_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_engine_create", engine, kind, index);
            }
            return (int) mh$.invokeExact(engine, kind, index);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_engine_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_engine_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_engine_destroy. */
    public static FunctionDescriptor dnnl_engine_destroy$descriptor() {
        return dnnl_engine_destroy.DESC;
    }

    /** Downcall method handle for dnnl_engine_destroy. */
    public static MethodHandle dnnl_engine_destroy$handle() {
        return dnnl_engine_destroy.HANDLE;
    }

    /** Address for dnnl_engine_destroy. */
    public static MemorySegment dnnl_engine_destroy$address() {
        return dnnl_engine_destroy.ADDR;
    }

    public static int dnnl_engine_destroy(MemorySegment engine) {
        var mh$ = dnnl_engine_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_engine_destroy", engine);
            }
            return (int) mh$.invokeExact(engine);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_stream_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_stream_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_stream_create. */
    public static FunctionDescriptor dnnl_stream_create$descriptor() {
        return dnnl_stream_create.DESC;
    }

    /** Downcall method handle for dnnl_stream_create. */
    public static MethodHandle dnnl_stream_create$handle() {
        return dnnl_stream_create.HANDLE;
    }

    /** Address for dnnl_stream_create. */
    public static MemorySegment dnnl_stream_create$address() {
        return dnnl_stream_create.ADDR;
    }

    public static int dnnl_stream_create(MemorySegment stream, MemorySegment engine, int flags) {
        var mh$ = dnnl_stream_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_stream_create", stream, engine, flags);
            }
            return (int) mh$.invokeExact(stream, engine, flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_stream_wait {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_stream_wait");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_stream_wait. */
    public static FunctionDescriptor dnnl_stream_wait$descriptor() {
        return dnnl_stream_wait.DESC;
    }

    /** Downcall method handle for dnnl_stream_wait. */
    public static MethodHandle dnnl_stream_wait$handle() {
        return dnnl_stream_wait.HANDLE;
    }

    /** Address for dnnl_stream_wait. */
    public static MemorySegment dnnl_stream_wait$address() {
        return dnnl_stream_wait.ADDR;
    }

    public static int dnnl_stream_wait(MemorySegment stream) {
        var mh$ = dnnl_stream_wait.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_stream_wait", stream);
            }
            return (int) mh$.invokeExact(stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_stream_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_stream_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_stream_destroy. */
    public static FunctionDescriptor dnnl_stream_destroy$descriptor() {
        return dnnl_stream_destroy.DESC;
    }

    /** Downcall method handle for dnnl_stream_destroy. */
    public static MethodHandle dnnl_stream_destroy$handle() {
        return dnnl_stream_destroy.HANDLE;
    }

    /** Address for dnnl_stream_destroy. */
    public static MemorySegment dnnl_stream_destroy$address() {
        return dnnl_stream_destroy.ADDR;
    }

    public static int dnnl_stream_destroy(MemorySegment stream) {
        var mh$ = dnnl_stream_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_stream_destroy", stream);
            }
            return (int) mh$.invokeExact(stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_create_with_strides {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_desc_create_with_strides");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_desc_create_with_strides. */
    public static FunctionDescriptor dnnl_memory_desc_create_with_strides$descriptor() {
        return dnnl_memory_desc_create_with_strides.DESC;
    }

    /** Downcall method handle for dnnl_memory_desc_create_with_strides. */
    public static MethodHandle dnnl_memory_desc_create_with_strides$handle() {
        return dnnl_memory_desc_create_with_strides.HANDLE;
    }

    /** Address for dnnl_memory_desc_create_with_strides. */
    public static MemorySegment dnnl_memory_desc_create_with_strides$address() {
        return dnnl_memory_desc_create_with_strides.ADDR;
    }

    public static int dnnl_memory_desc_create_with_strides(MemorySegment memory_desc, int ndims, MemorySegment dims, int data_type, MemorySegment strides) {
        var mh$ = dnnl_memory_desc_create_with_strides.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_desc_create_with_strides", memory_desc, ndims, dims, data_type, strides);
            }
            return (int) mh$.invokeExact(memory_desc, ndims, dims, data_type, strides);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_create_with_tag {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_desc_create_with_tag");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_desc_create_with_tag. */
    public static FunctionDescriptor dnnl_memory_desc_create_with_tag$descriptor() {
        return dnnl_memory_desc_create_with_tag.DESC;
    }

    /** Downcall method handle for dnnl_memory_desc_create_with_tag. */
    public static MethodHandle dnnl_memory_desc_create_with_tag$handle() {
        return dnnl_memory_desc_create_with_tag.HANDLE;
    }

    /** Address for dnnl_memory_desc_create_with_tag. */
    public static MemorySegment dnnl_memory_desc_create_with_tag$address() {
        return dnnl_memory_desc_create_with_tag.ADDR;
    }

    public static int dnnl_memory_desc_create_with_tag(MemorySegment memory_desc, int ndims, MemorySegment dims, int data_type, int tag) {
        var mh$ = dnnl_memory_desc_create_with_tag.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_desc_create_with_tag", memory_desc, ndims, dims, data_type, tag);
            }
            return (int) mh$.invokeExact(memory_desc, ndims, dims, data_type, tag);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_desc_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_desc_destroy. */
    public static FunctionDescriptor dnnl_memory_desc_destroy$descriptor() {
        return dnnl_memory_desc_destroy.DESC;
    }

    /** Downcall method handle for dnnl_memory_desc_destroy. */
    public static MethodHandle dnnl_memory_desc_destroy$handle() {
        return dnnl_memory_desc_destroy.HANDLE;
    }

    /** Address for dnnl_memory_desc_destroy. */
    public static MemorySegment dnnl_memory_desc_destroy$address() {
        return dnnl_memory_desc_destroy.ADDR;
    }

    public static int dnnl_memory_desc_destroy(MemorySegment memory_desc) {
        var mh$ = dnnl_memory_desc_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_desc_destroy", memory_desc);
            }
            return (int) mh$.invokeExact(memory_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_query {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_desc_query");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_desc_query. */
    public static FunctionDescriptor dnnl_memory_desc_query$descriptor() {
        return dnnl_memory_desc_query.DESC;
    }

    /** Downcall method handle for dnnl_memory_desc_query. */
    public static MethodHandle dnnl_memory_desc_query$handle() {
        return dnnl_memory_desc_query.HANDLE;
    }

    /** Address for dnnl_memory_desc_query. */
    public static MemorySegment dnnl_memory_desc_query$address() {
        return dnnl_memory_desc_query.ADDR;
    }

    public static int dnnl_memory_desc_query(MemorySegment memory_desc, int what, MemorySegment result) {
        var mh$ = dnnl_memory_desc_query.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_desc_query", memory_desc, what, result);
            }
            return (int) mh$.invokeExact(memory_desc, what, result);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_desc_get_size {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_LONG,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_desc_get_size");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_desc_get_size. */
    public static FunctionDescriptor dnnl_memory_desc_get_size$descriptor() {
        return dnnl_memory_desc_get_size.DESC;
    }

    /** Downcall method handle for dnnl_memory_desc_get_size. */
    public static MethodHandle dnnl_memory_desc_get_size$handle() {
        return dnnl_memory_desc_get_size.HANDLE;
    }

    /** Address for dnnl_memory_desc_get_size. */
    public static MemorySegment dnnl_memory_desc_get_size$address() {
        return dnnl_memory_desc_get_size.ADDR;
    }

    public static long dnnl_memory_desc_get_size(MemorySegment memory_desc) {
        var mh$ = dnnl_memory_desc_get_size.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_desc_get_size", memory_desc);
            }
            return (long) mh$.invokeExact(memory_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_create. */
    public static FunctionDescriptor dnnl_memory_create$descriptor() {
        return dnnl_memory_create.DESC;
    }

    /** Downcall method handle for dnnl_memory_create. */
    public static MethodHandle dnnl_memory_create$handle() {
        return dnnl_memory_create.HANDLE;
    }

    /** Address for dnnl_memory_create. */
    public static MemorySegment dnnl_memory_create$address() {
        return dnnl_memory_create.ADDR;
    }

    public static int dnnl_memory_create(MemorySegment memory, MemorySegment memory_desc, MemorySegment engine, MemorySegment handle) {
        var mh$ = dnnl_memory_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_create", memory, memory_desc, engine, handle);
            }
            return (int) mh$.invokeExact(memory, memory_desc, engine, handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_set_data_handle {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_set_data_handle");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_set_data_handle. */
    public static FunctionDescriptor dnnl_memory_set_data_handle$descriptor() {
        return dnnl_memory_set_data_handle.DESC;
    }

    /** Downcall method handle for dnnl_memory_set_data_handle. */
    public static MethodHandle dnnl_memory_set_data_handle$handle() {
        return dnnl_memory_set_data_handle.HANDLE;
    }

    /** Address for dnnl_memory_set_data_handle. */
    public static MemorySegment dnnl_memory_set_data_handle$address() {
        return dnnl_memory_set_data_handle.ADDR;
    }

    public static int dnnl_memory_set_data_handle(MemorySegment memory, MemorySegment handle) {
        var mh$ = dnnl_memory_set_data_handle.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_set_data_handle", memory, handle);
            }
            return (int) mh$.invokeExact(memory, handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_get_data_handle {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_get_data_handle");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_get_data_handle. */
    public static FunctionDescriptor dnnl_memory_get_data_handle$descriptor() {
        return dnnl_memory_get_data_handle.DESC;
    }

    /** Downcall method handle for dnnl_memory_get_data_handle. */
    public static MethodHandle dnnl_memory_get_data_handle$handle() {
        return dnnl_memory_get_data_handle.HANDLE;
    }

    /** Address for dnnl_memory_get_data_handle. */
    public static MemorySegment dnnl_memory_get_data_handle$address() {
        return dnnl_memory_get_data_handle.ADDR;
    }

    public static int dnnl_memory_get_data_handle(MemorySegment memory, MemorySegment handle) {
        var mh$ = dnnl_memory_get_data_handle.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_get_data_handle", memory, handle);
            }
            return (int) mh$.invokeExact(memory, handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_memory_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_memory_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_memory_destroy. */
    public static FunctionDescriptor dnnl_memory_destroy$descriptor() {
        return dnnl_memory_destroy.DESC;
    }

    /** Downcall method handle for dnnl_memory_destroy. */
    public static MethodHandle dnnl_memory_destroy$handle() {
        return dnnl_memory_destroy.HANDLE;
    }

    /** Address for dnnl_memory_destroy. */
    public static MemorySegment dnnl_memory_destroy$address() {
        return dnnl_memory_destroy.ADDR;
    }

    public static int dnnl_memory_destroy(MemorySegment memory) {
        var mh$ = dnnl_memory_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_memory_destroy", memory);
            }
            return (int) mh$.invokeExact(memory);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_create. */
    public static FunctionDescriptor dnnl_primitive_attr_create$descriptor() {
        return dnnl_primitive_attr_create.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_create. */
    public static MethodHandle dnnl_primitive_attr_create$handle() {
        return dnnl_primitive_attr_create.HANDLE;
    }

    /** Address for dnnl_primitive_attr_create. */
    public static MemorySegment dnnl_primitive_attr_create$address() {
        return dnnl_primitive_attr_create.ADDR;
    }

    public static int dnnl_primitive_attr_create(MemorySegment attr) {
        var mh$ = dnnl_primitive_attr_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_create", attr);
            }
            return (int) mh$.invokeExact(attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_destroy. */
    public static FunctionDescriptor dnnl_primitive_attr_destroy$descriptor() {
        return dnnl_primitive_attr_destroy.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_destroy. */
    public static MethodHandle dnnl_primitive_attr_destroy$handle() {
        return dnnl_primitive_attr_destroy.HANDLE;
    }

    /** Address for dnnl_primitive_attr_destroy. */
    public static MemorySegment dnnl_primitive_attr_destroy$address() {
        return dnnl_primitive_attr_destroy.ADDR;
    }

    public static int dnnl_primitive_attr_destroy(MemorySegment attr) {
        var mh$ = dnnl_primitive_attr_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_destroy", attr);
            }
            return (int) mh$.invokeExact(attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_scratchpad_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_set_scratchpad_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_set_scratchpad_mode. */
    public static FunctionDescriptor dnnl_primitive_attr_set_scratchpad_mode$descriptor() {
        return dnnl_primitive_attr_set_scratchpad_mode.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_set_scratchpad_mode. */
    public static MethodHandle dnnl_primitive_attr_set_scratchpad_mode$handle() {
        return dnnl_primitive_attr_set_scratchpad_mode.HANDLE;
    }

    /** Address for dnnl_primitive_attr_set_scratchpad_mode. */
    public static MemorySegment dnnl_primitive_attr_set_scratchpad_mode$address() {
        return dnnl_primitive_attr_set_scratchpad_mode.ADDR;
    }

    public static int dnnl_primitive_attr_set_scratchpad_mode(MemorySegment attr, int mode) {
        var mh$ = dnnl_primitive_attr_set_scratchpad_mode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_set_scratchpad_mode", attr, mode);
            }
            return (int) mh$.invokeExact(attr, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_fpmath_mode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_set_fpmath_mode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_set_fpmath_mode. */
    public static FunctionDescriptor dnnl_primitive_attr_set_fpmath_mode$descriptor() {
        return dnnl_primitive_attr_set_fpmath_mode.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_set_fpmath_mode. */
    public static MethodHandle dnnl_primitive_attr_set_fpmath_mode$handle() {
        return dnnl_primitive_attr_set_fpmath_mode.HANDLE;
    }

    /** Address for dnnl_primitive_attr_set_fpmath_mode. */
    public static MemorySegment dnnl_primitive_attr_set_fpmath_mode$address() {
        return dnnl_primitive_attr_set_fpmath_mode.ADDR;
    }

    public static int dnnl_primitive_attr_set_fpmath_mode(MemorySegment attr, int mode) {
        var mh$ = dnnl_primitive_attr_set_fpmath_mode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_set_fpmath_mode", attr, mode);
            }
            return (int) mh$.invokeExact(attr, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_fpmath_mode_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_set_fpmath_mode_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_set_fpmath_mode_v2. */
    public static FunctionDescriptor dnnl_primitive_attr_set_fpmath_mode_v2$descriptor() {
        return dnnl_primitive_attr_set_fpmath_mode_v2.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_set_fpmath_mode_v2. */
    public static MethodHandle dnnl_primitive_attr_set_fpmath_mode_v2$handle() {
        return dnnl_primitive_attr_set_fpmath_mode_v2.HANDLE;
    }

    /** Address for dnnl_primitive_attr_set_fpmath_mode_v2. */
    public static MemorySegment dnnl_primitive_attr_set_fpmath_mode_v2$address() {
        return dnnl_primitive_attr_set_fpmath_mode_v2.ADDR;
    }

    public static int dnnl_primitive_attr_set_fpmath_mode_v2(MemorySegment attr, int mode, int apply_to_int) {
        var mh$ = dnnl_primitive_attr_set_fpmath_mode_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_set_fpmath_mode_v2", attr, mode, apply_to_int);
            }
            return (int) mh$.invokeExact(attr, mode, apply_to_int);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_scales_mask {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_set_scales_mask");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_set_scales_mask. */
    public static FunctionDescriptor dnnl_primitive_attr_set_scales_mask$descriptor() {
        return dnnl_primitive_attr_set_scales_mask.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_set_scales_mask. */
    public static MethodHandle dnnl_primitive_attr_set_scales_mask$handle() {
        return dnnl_primitive_attr_set_scales_mask.HANDLE;
    }

    /** Address for dnnl_primitive_attr_set_scales_mask. */
    public static MemorySegment dnnl_primitive_attr_set_scales_mask$address() {
        return dnnl_primitive_attr_set_scales_mask.ADDR;
    }

    public static int dnnl_primitive_attr_set_scales_mask(MemorySegment attr, int arg, int mask) {
        var mh$ = dnnl_primitive_attr_set_scales_mask.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_set_scales_mask", attr, arg, mask);
            }
            return (int) mh$.invokeExact(attr, arg, mask);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_attr_set_post_ops {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_attr_set_post_ops");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_attr_set_post_ops. */
    public static FunctionDescriptor dnnl_primitive_attr_set_post_ops$descriptor() {
        return dnnl_primitive_attr_set_post_ops.DESC;
    }

    /** Downcall method handle for dnnl_primitive_attr_set_post_ops. */
    public static MethodHandle dnnl_primitive_attr_set_post_ops$handle() {
        return dnnl_primitive_attr_set_post_ops.HANDLE;
    }

    /** Address for dnnl_primitive_attr_set_post_ops. */
    public static MemorySegment dnnl_primitive_attr_set_post_ops$address() {
        return dnnl_primitive_attr_set_post_ops.ADDR;
    }

    public static int dnnl_primitive_attr_set_post_ops(MemorySegment attr, MemorySegment post_ops) {
        var mh$ = dnnl_primitive_attr_set_post_ops.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_attr_set_post_ops", attr, post_ops);
            }
            return (int) mh$.invokeExact(attr, post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_post_ops_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_post_ops_create. */
    public static FunctionDescriptor dnnl_post_ops_create$descriptor() {
        return dnnl_post_ops_create.DESC;
    }

    /** Downcall method handle for dnnl_post_ops_create. */
    public static MethodHandle dnnl_post_ops_create$handle() {
        return dnnl_post_ops_create.HANDLE;
    }

    /** Address for dnnl_post_ops_create. */
    public static MemorySegment dnnl_post_ops_create$address() {
        return dnnl_post_ops_create.ADDR;
    }

    public static int dnnl_post_ops_create(MemorySegment post_ops) {
        var mh$ = dnnl_post_ops_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_post_ops_create", post_ops);
            }
            return (int) mh$.invokeExact(post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_post_ops_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_post_ops_destroy. */
    public static FunctionDescriptor dnnl_post_ops_destroy$descriptor() {
        return dnnl_post_ops_destroy.DESC;
    }

    /** Downcall method handle for dnnl_post_ops_destroy. */
    public static MethodHandle dnnl_post_ops_destroy$handle() {
        return dnnl_post_ops_destroy.HANDLE;
    }

    /** Address for dnnl_post_ops_destroy. */
    public static MemorySegment dnnl_post_ops_destroy$address() {
        return dnnl_post_ops_destroy.ADDR;
    }

    public static int dnnl_post_ops_destroy(MemorySegment post_ops) {
        var mh$ = dnnl_post_ops_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_post_ops_destroy", post_ops);
            }
            return (int) mh$.invokeExact(post_ops);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_sum {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_FLOAT,
            dnnl_h.C_INT,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_post_ops_append_sum");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_post_ops_append_sum. */
    public static FunctionDescriptor dnnl_post_ops_append_sum$descriptor() {
        return dnnl_post_ops_append_sum.DESC;
    }

    /** Downcall method handle for dnnl_post_ops_append_sum. */
    public static MethodHandle dnnl_post_ops_append_sum$handle() {
        return dnnl_post_ops_append_sum.HANDLE;
    }

    /** Address for dnnl_post_ops_append_sum. */
    public static MemorySegment dnnl_post_ops_append_sum$address() {
        return dnnl_post_ops_append_sum.ADDR;
    }

    public static int dnnl_post_ops_append_sum(MemorySegment post_ops, float scale, int zero_point, int data_type) {
        var mh$ = dnnl_post_ops_append_sum.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_post_ops_append_sum", post_ops, scale, zero_point, data_type);
            }
            return (int) mh$.invokeExact(post_ops, scale, zero_point, data_type);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_eltwise {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_FLOAT,
            dnnl_h.C_FLOAT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_post_ops_append_eltwise");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_post_ops_append_eltwise. */
    public static FunctionDescriptor dnnl_post_ops_append_eltwise$descriptor() {
        return dnnl_post_ops_append_eltwise.DESC;
    }

    /** Downcall method handle for dnnl_post_ops_append_eltwise. */
    public static MethodHandle dnnl_post_ops_append_eltwise$handle() {
        return dnnl_post_ops_append_eltwise.HANDLE;
    }

    /** Address for dnnl_post_ops_append_eltwise. */
    public static MemorySegment dnnl_post_ops_append_eltwise$address() {
        return dnnl_post_ops_append_eltwise.ADDR;
    }

    public static int dnnl_post_ops_append_eltwise(MemorySegment post_ops, int alg_kind, float alpha, float beta) {
        var mh$ = dnnl_post_ops_append_eltwise.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_post_ops_append_eltwise", post_ops, alg_kind, alpha, beta);
            }
            return (int) mh$.invokeExact(post_ops, alg_kind, alpha, beta);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_post_ops_append_binary {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_post_ops_append_binary");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_post_ops_append_binary. */
    public static FunctionDescriptor dnnl_post_ops_append_binary$descriptor() {
        return dnnl_post_ops_append_binary.DESC;
    }

    /** Downcall method handle for dnnl_post_ops_append_binary. */
    public static MethodHandle dnnl_post_ops_append_binary$handle() {
        return dnnl_post_ops_append_binary.HANDLE;
    }

    /** Address for dnnl_post_ops_append_binary. */
    public static MemorySegment dnnl_post_ops_append_binary$address() {
        return dnnl_post_ops_append_binary.ADDR;
    }

    public static int dnnl_post_ops_append_binary(MemorySegment post_ops, int alg_kind, MemorySegment src1_desc) {
        var mh$ = dnnl_post_ops_append_binary.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_post_ops_append_binary", post_ops, alg_kind, src1_desc);
            }
            return (int) mh$.invokeExact(post_ops, alg_kind, src1_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_matmul_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_matmul_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_matmul_primitive_desc_create. */
    public static FunctionDescriptor dnnl_matmul_primitive_desc_create$descriptor() {
        return dnnl_matmul_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_matmul_primitive_desc_create. */
    public static MethodHandle dnnl_matmul_primitive_desc_create$handle() {
        return dnnl_matmul_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_matmul_primitive_desc_create. */
    public static MemorySegment dnnl_matmul_primitive_desc_create$address() {
        return dnnl_matmul_primitive_desc_create.ADDR;
    }

    public static int dnnl_matmul_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, MemorySegment src_desc, MemorySegment weights_desc, MemorySegment bias_desc, MemorySegment dst_desc, MemorySegment attr) {
        var mh$ = dnnl_matmul_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_matmul_primitive_desc_create", primitive_desc, engine, src_desc, weights_desc, bias_desc, dst_desc, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, src_desc, weights_desc, bias_desc, dst_desc, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_layer_normalization_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_FLOAT,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_layer_normalization_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_layer_normalization_forward_primitive_desc_create. */
    public static FunctionDescriptor dnnl_layer_normalization_forward_primitive_desc_create$descriptor() {
        return dnnl_layer_normalization_forward_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_layer_normalization_forward_primitive_desc_create. */
    public static MethodHandle dnnl_layer_normalization_forward_primitive_desc_create$handle() {
        return dnnl_layer_normalization_forward_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_layer_normalization_forward_primitive_desc_create. */
    public static MemorySegment dnnl_layer_normalization_forward_primitive_desc_create$address() {
        return dnnl_layer_normalization_forward_primitive_desc_create.ADDR;
    }

    public static int dnnl_layer_normalization_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, MemorySegment src_desc, MemorySegment dst_desc, MemorySegment stat_desc, float epsilon, int flags, MemorySegment attr) {
        var mh$ = dnnl_layer_normalization_forward_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_layer_normalization_forward_primitive_desc_create", primitive_desc, engine, prop_kind, src_desc, dst_desc, stat_desc, epsilon, flags, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, src_desc, dst_desc, stat_desc, epsilon, flags, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_layer_normalization_backward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_FLOAT,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_layer_normalization_backward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_layer_normalization_backward_primitive_desc_create. */
    public static FunctionDescriptor dnnl_layer_normalization_backward_primitive_desc_create$descriptor() {
        return dnnl_layer_normalization_backward_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_layer_normalization_backward_primitive_desc_create. */
    public static MethodHandle dnnl_layer_normalization_backward_primitive_desc_create$handle() {
        return dnnl_layer_normalization_backward_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_layer_normalization_backward_primitive_desc_create. */
    public static MemorySegment dnnl_layer_normalization_backward_primitive_desc_create$address() {
        return dnnl_layer_normalization_backward_primitive_desc_create.ADDR;
    }

    public static int dnnl_layer_normalization_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment src_desc, MemorySegment stat_desc, float epsilon, int flags, MemorySegment hint_fwd_pd, MemorySegment attr) {
        var mh$ = dnnl_layer_normalization_backward_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_layer_normalization_backward_primitive_desc_create", primitive_desc, engine, prop_kind, diff_src_desc, diff_dst_desc, src_desc, stat_desc, epsilon, flags, hint_fwd_pd, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, diff_src_desc, diff_dst_desc, src_desc, stat_desc, epsilon, flags, hint_fwd_pd, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_softmax_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_softmax_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_softmax_forward_primitive_desc_create. */
    public static FunctionDescriptor dnnl_softmax_forward_primitive_desc_create$descriptor() {
        return dnnl_softmax_forward_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_softmax_forward_primitive_desc_create. */
    public static MethodHandle dnnl_softmax_forward_primitive_desc_create$handle() {
        return dnnl_softmax_forward_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_softmax_forward_primitive_desc_create. */
    public static MemorySegment dnnl_softmax_forward_primitive_desc_create$address() {
        return dnnl_softmax_forward_primitive_desc_create.ADDR;
    }

    public static int dnnl_softmax_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, int softmax_axis, MemorySegment attr) {
        var mh$ = dnnl_softmax_forward_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_softmax_forward_primitive_desc_create", primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, softmax_axis, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, softmax_axis, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_softmax_backward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_softmax_backward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_softmax_backward_primitive_desc_create. */
    public static FunctionDescriptor dnnl_softmax_backward_primitive_desc_create$descriptor() {
        return dnnl_softmax_backward_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_softmax_backward_primitive_desc_create. */
    public static MethodHandle dnnl_softmax_backward_primitive_desc_create$handle() {
        return dnnl_softmax_backward_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_softmax_backward_primitive_desc_create. */
    public static MemorySegment dnnl_softmax_backward_primitive_desc_create$address() {
        return dnnl_softmax_backward_primitive_desc_create.ADDR;
    }

    public static int dnnl_softmax_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment dst_desc, int softmax_axis, MemorySegment hint_fwd_pd, MemorySegment attr) {
        var mh$ = dnnl_softmax_backward_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_softmax_backward_primitive_desc_create", primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, dst_desc, softmax_axis, hint_fwd_pd, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, dst_desc, softmax_axis, hint_fwd_pd, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_eltwise_forward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_FLOAT,
            dnnl_h.C_FLOAT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_eltwise_forward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_eltwise_forward_primitive_desc_create. */
    public static FunctionDescriptor dnnl_eltwise_forward_primitive_desc_create$descriptor() {
        return dnnl_eltwise_forward_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_eltwise_forward_primitive_desc_create. */
    public static MethodHandle dnnl_eltwise_forward_primitive_desc_create$handle() {
        return dnnl_eltwise_forward_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_eltwise_forward_primitive_desc_create. */
    public static MemorySegment dnnl_eltwise_forward_primitive_desc_create$address() {
        return dnnl_eltwise_forward_primitive_desc_create.ADDR;
    }

    public static int dnnl_eltwise_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, float alpha, float beta, MemorySegment attr) {
        var mh$ = dnnl_eltwise_forward_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_eltwise_forward_primitive_desc_create", primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, alpha, beta, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, alpha, beta, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_eltwise_backward_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_FLOAT,
            dnnl_h.C_FLOAT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_eltwise_backward_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_eltwise_backward_primitive_desc_create. */
    public static FunctionDescriptor dnnl_eltwise_backward_primitive_desc_create$descriptor() {
        return dnnl_eltwise_backward_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_eltwise_backward_primitive_desc_create. */
    public static MethodHandle dnnl_eltwise_backward_primitive_desc_create$handle() {
        return dnnl_eltwise_backward_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_eltwise_backward_primitive_desc_create. */
    public static MemorySegment dnnl_eltwise_backward_primitive_desc_create$address() {
        return dnnl_eltwise_backward_primitive_desc_create.ADDR;
    }

    public static int dnnl_eltwise_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment data_desc, float alpha, float beta, MemorySegment hint_fwd_pd, MemorySegment attr) {
        var mh$ = dnnl_eltwise_backward_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_eltwise_backward_primitive_desc_create", primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, data_desc, alpha, beta, hint_fwd_pd, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, data_desc, alpha, beta, hint_fwd_pd, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_binary_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_binary_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_binary_primitive_desc_create. */
    public static FunctionDescriptor dnnl_binary_primitive_desc_create$descriptor() {
        return dnnl_binary_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_binary_primitive_desc_create. */
    public static MethodHandle dnnl_binary_primitive_desc_create$handle() {
        return dnnl_binary_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_binary_primitive_desc_create. */
    public static MemorySegment dnnl_binary_primitive_desc_create$address() {
        return dnnl_binary_primitive_desc_create.ADDR;
    }

    public static int dnnl_binary_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment src0_desc, MemorySegment src1_desc, MemorySegment dst_desc, MemorySegment attr) {
        var mh$ = dnnl_binary_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_binary_primitive_desc_create", primitive_desc, engine, alg_kind, src0_desc, src1_desc, dst_desc, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, alg_kind, src0_desc, src1_desc, dst_desc, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_reduction_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_FLOAT,
            dnnl_h.C_FLOAT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_reduction_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_reduction_primitive_desc_create. */
    public static FunctionDescriptor dnnl_reduction_primitive_desc_create$descriptor() {
        return dnnl_reduction_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_reduction_primitive_desc_create. */
    public static MethodHandle dnnl_reduction_primitive_desc_create$handle() {
        return dnnl_reduction_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_reduction_primitive_desc_create. */
    public static MemorySegment dnnl_reduction_primitive_desc_create$address() {
        return dnnl_reduction_primitive_desc_create.ADDR;
    }

    public static int dnnl_reduction_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, float p, float eps, MemorySegment attr) {
        var mh$ = dnnl_reduction_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_reduction_primitive_desc_create", primitive_desc, engine, alg_kind, src_desc, dst_desc, p, eps, attr);
            }
            return (int) mh$.invokeExact(primitive_desc, engine, alg_kind, src_desc, dst_desc, p, eps, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_reorder_primitive_desc_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_reorder_primitive_desc_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_reorder_primitive_desc_create. */
    public static FunctionDescriptor dnnl_reorder_primitive_desc_create$descriptor() {
        return dnnl_reorder_primitive_desc_create.DESC;
    }

    /** Downcall method handle for dnnl_reorder_primitive_desc_create. */
    public static MethodHandle dnnl_reorder_primitive_desc_create$handle() {
        return dnnl_reorder_primitive_desc_create.HANDLE;
    }

    /** Address for dnnl_reorder_primitive_desc_create. */
    public static MemorySegment dnnl_reorder_primitive_desc_create$address() {
        return dnnl_reorder_primitive_desc_create.ADDR;
    }

    public static int dnnl_reorder_primitive_desc_create(MemorySegment reorder_primitive_desc, MemorySegment src_desc, MemorySegment src_engine, MemorySegment dst_desc, MemorySegment dst_engine, MemorySegment attr) {
        var mh$ = dnnl_reorder_primitive_desc_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_reorder_primitive_desc_create", reorder_primitive_desc, src_desc, src_engine, dst_desc, dst_engine, attr);
            }
            return (int) mh$.invokeExact(reorder_primitive_desc, src_desc, src_engine, dst_desc, dst_engine, attr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_desc_query {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_desc_query");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_desc_query. */
    public static FunctionDescriptor dnnl_primitive_desc_query$descriptor() {
        return dnnl_primitive_desc_query.DESC;
    }

    /** Downcall method handle for dnnl_primitive_desc_query. */
    public static MethodHandle dnnl_primitive_desc_query$handle() {
        return dnnl_primitive_desc_query.HANDLE;
    }

    /** Address for dnnl_primitive_desc_query. */
    public static MemorySegment dnnl_primitive_desc_query$address() {
        return dnnl_primitive_desc_query.ADDR;
    }

    public static int dnnl_primitive_desc_query(MemorySegment primitive_desc, int what, int index, MemorySegment result) {
        var mh$ = dnnl_primitive_desc_query.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_desc_query", primitive_desc, what, index, result);
            }
            return (int) mh$.invokeExact(primitive_desc, what, index, result);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_desc_query_md {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_desc_query_md");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_desc_query_md. */
    public static FunctionDescriptor dnnl_primitive_desc_query_md$descriptor() {
        return dnnl_primitive_desc_query_md.DESC;
    }

    /** Downcall method handle for dnnl_primitive_desc_query_md. */
    public static MethodHandle dnnl_primitive_desc_query_md$handle() {
        return dnnl_primitive_desc_query_md.HANDLE;
    }

    /** Address for dnnl_primitive_desc_query_md. */
    public static MemorySegment dnnl_primitive_desc_query_md$address() {
        return dnnl_primitive_desc_query_md.ADDR;
    }

    public static MemorySegment dnnl_primitive_desc_query_md(MemorySegment primitive_desc, int what, int index) {
        var mh$ = dnnl_primitive_desc_query_md.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_desc_query_md", primitive_desc, what, index);
            }
            return (MemorySegment) mh$.invokeExact(primitive_desc, what, index);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_desc_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_desc_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_desc_destroy. */
    public static FunctionDescriptor dnnl_primitive_desc_destroy$descriptor() {
        return dnnl_primitive_desc_destroy.DESC;
    }

    /** Downcall method handle for dnnl_primitive_desc_destroy. */
    public static MethodHandle dnnl_primitive_desc_destroy$handle() {
        return dnnl_primitive_desc_destroy.HANDLE;
    }

    /** Address for dnnl_primitive_desc_destroy. */
    public static MemorySegment dnnl_primitive_desc_destroy$address() {
        return dnnl_primitive_desc_destroy.ADDR;
    }

    public static int dnnl_primitive_desc_destroy(MemorySegment primitive_desc) {
        var mh$ = dnnl_primitive_desc_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_desc_destroy", primitive_desc);
            }
            return (int) mh$.invokeExact(primitive_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_create. */
    public static FunctionDescriptor dnnl_primitive_create$descriptor() {
        return dnnl_primitive_create.DESC;
    }

    /** Downcall method handle for dnnl_primitive_create. */
    public static MethodHandle dnnl_primitive_create$handle() {
        return dnnl_primitive_create.HANDLE;
    }

    /** Address for dnnl_primitive_create. */
    public static MemorySegment dnnl_primitive_create$address() {
        return dnnl_primitive_create.ADDR;
    }

    public static int dnnl_primitive_create(MemorySegment primitive, MemorySegment primitive_desc) {
        var mh$ = dnnl_primitive_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_create", primitive, primitive_desc);
            }
            return (int) mh$.invokeExact(primitive, primitive_desc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_execute {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER,
            dnnl_h.C_POINTER,
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_execute");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_execute. */
    public static FunctionDescriptor dnnl_primitive_execute$descriptor() {
        return dnnl_primitive_execute.DESC;
    }

    /** Downcall method handle for dnnl_primitive_execute. */
    public static MethodHandle dnnl_primitive_execute$handle() {
        return dnnl_primitive_execute.HANDLE;
    }

    /** Address for dnnl_primitive_execute. */
    public static MemorySegment dnnl_primitive_execute$address() {
        return dnnl_primitive_execute.ADDR;
    }

    public static int dnnl_primitive_execute(MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args) {
        var mh$ = dnnl_primitive_execute.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_execute", primitive, stream, nargs, args);
            }
            return (int) mh$.invokeExact(primitive, stream, nargs, args);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_primitive_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_primitive_destroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_primitive_destroy. */
    public static FunctionDescriptor dnnl_primitive_destroy$descriptor() {
        return dnnl_primitive_destroy.DESC;
    }

    /** Downcall method handle for dnnl_primitive_destroy. */
    public static MethodHandle dnnl_primitive_destroy$handle() {
        return dnnl_primitive_destroy.HANDLE;
    }

    /** Address for dnnl_primitive_destroy. */
    public static MemorySegment dnnl_primitive_destroy$address() {
        return dnnl_primitive_destroy.ADDR;
    }

    public static int dnnl_primitive_destroy(MemorySegment primitive) {
        var mh$ = dnnl_primitive_destroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_primitive_destroy", primitive);
            }
            return (int) mh$.invokeExact(primitive);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_sgemm {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_CHAR,
            dnnl_h.C_CHAR,
            dnnl_h.C_LONG,
            dnnl_h.C_LONG,
            dnnl_h.C_LONG,
            dnnl_h.C_FLOAT,
            dnnl_h.C_POINTER,
            dnnl_h.C_LONG,
            dnnl_h.C_POINTER,
            dnnl_h.C_LONG,
            dnnl_h.C_FLOAT,
            dnnl_h.C_POINTER,
            dnnl_h.C_LONG
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_sgemm");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_sgemm. */
    public static FunctionDescriptor dnnl_sgemm$descriptor() {
        return dnnl_sgemm.DESC;
    }

    /** Downcall method handle for dnnl_sgemm. */
    public static MethodHandle dnnl_sgemm$handle() {
        return dnnl_sgemm.HANDLE;
    }

    /** Address for dnnl_sgemm. */
    public static MemorySegment dnnl_sgemm$address() {
        return dnnl_sgemm.ADDR;
    }

    public static int dnnl_sgemm(byte transa, byte transb, long M, long N, long K, float alpha, MemorySegment A, long lda, MemorySegment B, long ldb, float beta, MemorySegment C, long ldc) {
        var mh$ = dnnl_sgemm.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_sgemm", transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            }
            return (int) mh$.invokeExact(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_set_verbose {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_set_verbose");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_set_verbose. */
    public static FunctionDescriptor dnnl_set_verbose$descriptor() {
        return dnnl_set_verbose.DESC;
    }

    /** Downcall method handle for dnnl_set_verbose. */
    public static MethodHandle dnnl_set_verbose$handle() {
        return dnnl_set_verbose.HANDLE;
    }

    /** Address for dnnl_set_verbose. */
    public static MemorySegment dnnl_set_verbose$address() {
        return dnnl_set_verbose.ADDR;
    }

    public static int dnnl_set_verbose(int level) {
        var mh$ = dnnl_set_verbose.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_set_verbose", level);
            }
            return (int) mh$.invokeExact(level);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_POINTER
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_version. */
    public static FunctionDescriptor dnnl_version$descriptor() {
        return dnnl_version.DESC;
    }

    /** Downcall method handle for dnnl_version. */
    public static MethodHandle dnnl_version$handle() {
        return dnnl_version.HANDLE;
    }

    /** Address for dnnl_version. */
    public static MemorySegment dnnl_version$address() {
        return dnnl_version.ADDR;
    }

    public static MemorySegment dnnl_version() {
        var mh$ = dnnl_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_version");
            }
            return (MemorySegment) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_get_effective_cpu_isa {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_get_effective_cpu_isa");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_get_effective_cpu_isa. */
    public static FunctionDescriptor dnnl_get_effective_cpu_isa$descriptor() {
        return dnnl_get_effective_cpu_isa.DESC;
    }

    /** Downcall method handle for dnnl_get_effective_cpu_isa. */
    public static MethodHandle dnnl_get_effective_cpu_isa$handle() {
        return dnnl_get_effective_cpu_isa.HANDLE;
    }

    /** Address for dnnl_get_effective_cpu_isa. */
    public static MemorySegment dnnl_get_effective_cpu_isa$address() {
        return dnnl_get_effective_cpu_isa.ADDR;
    }

    public static int dnnl_get_effective_cpu_isa() {
        var mh$ = dnnl_get_effective_cpu_isa.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_get_effective_cpu_isa");
            }
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class dnnl_status2str {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            dnnl_h.C_POINTER,
            dnnl_h.C_INT
        );

        public static final MemorySegment ADDR = dnnl_h.findOrThrow("dnnl_status2str");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /** Function descriptor for dnnl_status2str. */
    public static FunctionDescriptor dnnl_status2str$descriptor() {
        return dnnl_status2str.DESC;
    }

    /** Downcall method handle for dnnl_status2str. */
    public static MethodHandle dnnl_status2str$handle() {
        return dnnl_status2str.HANDLE;
    }

    /** Address for dnnl_status2str. */
    public static MemorySegment dnnl_status2str$address() {
        return dnnl_status2str.ADDR;
    }

    public static MemorySegment dnnl_status2str(int v) {
        var mh$ = dnnl_status2str.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("dnnl_status2str", v);
            }
            return (MemorySegment) mh$.invokeExact(v);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}

