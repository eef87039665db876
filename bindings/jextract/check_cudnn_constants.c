/* Prints every constant bound in cudnn_h.java as "NAME value", from the cuDNN 9 headers
 * (see cudnn-check-constants.sh). */
#include <stdio.h>
#include "cudnn.h"

#define P(x) printf("%s %d\n", #x, (int) (x))

int main(void) {
    P(CUDNN_STATUS_SUCCESS);
    P(CUDNN_DATA_FLOAT);
    P(CUDNN_DATA_DOUBLE);
    P(CUDNN_DATA_BFLOAT16);
    P(CUDNN_SOFTMAX_FAST);
    P(CUDNN_SOFTMAX_ACCURATE);
    P(CUDNN_SOFTMAX_LOG);
    P(CUDNN_SOFTMAX_MODE_INSTANCE);
    P(CUDNN_SOFTMAX_MODE_CHANNEL);
    P(CUDNN_DIM_MAX);
    return 0;
}
