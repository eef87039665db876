/*
 * Every oneDNN f32 matmul implementation (reference kernels excepted) on the twelve products of
 * one ViT block's training step: forward y = x W^T, backward dx = dy W and dW = dy^T x, for qkv,
 * proj, fc1 and fc2. Prints GFLOP/s per implementation, the median of RUNS timed runs each.
 * Built and run by matmul-impls.sh; the thread count comes from OMP_NUM_THREADS.
 *
 *   matmul_impls WIDTH HIDDEN ROWS...    e.g. 192 768 6400 3840 (fmnist-tiny: global, local rows)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "oneapi/dnnl/dnnl.h"

#define RUNS 10
#define WARMUP 3

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void check(dnnl_status_t status, const char *what) {
    if (status != dnnl_success) {
        fprintf(stderr, "matmul_impls: %s failed with status %d\n", what, (int) status);
        exit(1);
    }
}

/* One product C [m, n] = A [m, k] B [k, n]; A (or B) stored transposed when ta (tb). */
static void measure(dnnl_engine_t engine, dnnl_stream_t stream, const char *name, long m, long k, long n,
                    int ta, int tb) {
    dnnl_dims_t a_dims = {m, k}, b_dims = {k, n}, c_dims = {m, n};
    dnnl_memory_desc_t a_md, b_md, c_md;
    check(dnnl_memory_desc_create_with_tag(&a_md, 2, a_dims, dnnl_f32, ta ? dnnl_ba : dnnl_ab), "memory desc");
    check(dnnl_memory_desc_create_with_tag(&b_md, 2, b_dims, dnnl_f32, tb ? dnnl_ba : dnnl_ab), "memory desc");
    check(dnnl_memory_desc_create_with_tag(&c_md, 2, c_dims, dnnl_f32, dnnl_ab), "memory desc");
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    for (long i = 0; i < m * k; i++) a[i] = (float) (i % 7) * 0.1f;
    for (long i = 0; i < k * n; i++) b[i] = (float) (i % 5) * 0.1f;
    dnnl_memory_t a_mem, b_mem, c_mem;
    check(dnnl_memory_create(&a_mem, a_md, engine, a), "memory");
    check(dnnl_memory_create(&b_mem, b_md, engine, b), "memory");
    check(dnnl_memory_create(&c_mem, c_md, engine, c), "memory");
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}};

    dnnl_primitive_desc_t pd;
    check(dnnl_matmul_primitive_desc_create(&pd, engine, a_md, b_md, NULL, c_md, NULL), "matmul primitive desc");
    printf("%-9s %5ld x %5ld x %5ld  A%s B%s", name, m, k, n, ta ? "^T" : "  ", tb ? "^T" : "  ");
    int first = 1;
    do {
        const char *impl;
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl), "impl query");
        if (strncmp(impl, "ref", 3) == 0) continue; /* minutes per product at these sizes */
        dnnl_primitive_t p;
        check(dnnl_primitive_create(&p, pd), "primitive");
        double times[RUNS];
        for (int r = 0; r < WARMUP + RUNS; r++) {
            double t0 = seconds();
            check(dnnl_primitive_execute(p, stream, 3, args), "execute");
            check(dnnl_stream_wait(stream), "wait");
            if (r >= WARMUP) times[r - WARMUP] = seconds() - t0;
        }
        qsort(times, RUNS, sizeof(double), by_value);
        printf("   %s%s %6.1f", impl, first ? " (oneDNN's choice)" : "", 2.0 * m * k * n / times[RUNS / 2] / 1e9);
        first = 0;
        dnnl_primitive_destroy(p);
    } while (dnnl_primitive_desc_next_impl(pd) == dnnl_success);
    printf("\n");
    dnnl_primitive_desc_destroy(pd);
    dnnl_memory_destroy(a_mem);
    dnnl_memory_destroy(b_mem);
    dnnl_memory_destroy(c_mem);
    dnnl_memory_desc_destroy(a_md);
    dnnl_memory_desc_destroy(b_md);
    dnnl_memory_desc_destroy(c_md);
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: matmul_impls WIDTH HIDDEN ROWS...\n");
        return 2;
    }
    long d = atol(argv[1]), hidden = atol(argv[2]);
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine");
    check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags), "stream");
    printf("GFLOP/s per implementation, median of %d runs\n", RUNS);
    for (int i = 3; i < argc; i++) {
        long rows = atol(argv[i]);
        /* Linear layers: in -> out; W is [out, in] as stored by PyTorch and dinoj. */
        struct { const char *name; long in, out; } layers[] = {
            {"qkv", d, 3 * d}, {"proj", d, d}, {"fc1", d, hidden}, {"fc2", hidden, d}};
        printf("rows %ld\n", rows);
        for (int l = 0; l < 4; l++) {
            char name[32];
            snprintf(name, sizeof name, "%s y", layers[l].name);
            measure(engine, stream, name, rows, layers[l].in, layers[l].out, 0, 1);
            snprintf(name, sizeof name, "%s dx", layers[l].name);
            measure(engine, stream, name, rows, layers[l].out, layers[l].in, 0, 0);
            snprintf(name, sizeof name, "%s dW", layers[l].name);
            measure(engine, stream, name, layers[l].out, rows, layers[l].in, 1, 0);
        }
    }
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(engine);
    return 0;
}
