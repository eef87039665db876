package org.dinoj.bindings.dnnl;

/** A oneDNN C API call returned a status other than {@code dnnl_success}. */
public final class DnnlException extends RuntimeException {
    private final String function;
    private final int status;

    public DnnlException(String function, int status) {
        super("oneDNN " + function + " failed with " + DnnlStatus.name(status));
        this.function = function;
        this.status = status;
    }

    /** The C function that failed, e.g. {@code dnnl_matmul_primitive_desc_create}. */
    public String function() {
        return function;
    }

    /** The raw {@code dnnl_status_t} value. */
    public int status() {
        return status;
    }

    /** The status's C name, e.g. {@code dnnl_invalid_arguments}. */
    public String statusName() {
        return DnnlStatus.name(status);
    }
}
