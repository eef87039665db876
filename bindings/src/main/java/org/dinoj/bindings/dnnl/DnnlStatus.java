package org.dinoj.bindings.dnnl;

import static org.dinoj.bindings.dnnl.dnnl_h.*;

/** Turns {@code dnnl_status_t} results into exceptions that name the function and the status. */
public final class DnnlStatus {
    private static final String[] NAMES = names();

    private DnnlStatus() {
    }

    /**
     * Throws a {@link DnnlException} naming {@code function} unless {@code status} is
     * {@code dnnl_success}.
     */
    public static void check(int status, String function) {
        if (status != dnnl_success()) {
            throw new DnnlException(function, status);
        }
    }

    /** The C name of a {@code dnnl_status_t} value, or {@code "dnnl_status_t N"} if unknown. */
    public static String name(int status) {
        if (status >= 0 && status < NAMES.length && NAMES[status] != null) {
            return NAMES[status];
        }
        return "dnnl_status_t " + status;
    }

    private static String[] names() {
        String[] names = new String[dnnl_invalid_data_type() + 1];
        names[dnnl_success()] = "dnnl_success";
        names[dnnl_out_of_memory()] = "dnnl_out_of_memory";
        names[dnnl_invalid_arguments()] = "dnnl_invalid_arguments";
        names[dnnl_unimplemented()] = "dnnl_unimplemented";
        names[dnnl_last_impl_reached()] = "dnnl_last_impl_reached";
        names[dnnl_runtime_error()] = "dnnl_runtime_error";
        names[dnnl_not_required()] = "dnnl_not_required";
        names[dnnl_invalid_graph()] = "dnnl_invalid_graph";
        names[dnnl_invalid_graph_op()] = "dnnl_invalid_graph_op";
        names[dnnl_invalid_shape()] = "dnnl_invalid_shape";
        names[dnnl_invalid_data_type()] = "dnnl_invalid_data_type";
        return names;
    }
}
