/* The benchmark clients' clock: CLOCK_MONOTONIC in milliseconds (define _POSIX_C_SOURCE 200809L before including). */
#ifndef VIRTGPU_E2E_CLOCK_H
#define VIRTGPU_E2E_CLOCK_H
#include <time.h>

static inline double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
#endif
