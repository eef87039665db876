/* The oneDNN headers dinoj binds, as one translation unit for jextract (see dnnl.args). */
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
