/*
 * How the feature clients (vkgfx, glzink) report: each feature returns 1 (pass), 0 (fail, why set) or -1 (skip, why
 * set), and report() prints one "PASS <feature>", "FAIL <feature>: <why>" or "SKIP <feature>: <why>" line for it;
 * failures counts the failed ones for the final "result PASS|FAIL".
 */
#ifndef VENUS_E2E_FEATURE_REPORT_H
#define VENUS_E2E_FEATURE_REPORT_H

#include <stdio.h>

static char why[512];
static int failures;

#define EXPECT(cond, ...)                                                                                          \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            snprintf(why, sizeof why, __VA_ARGS__);                                                                \
            return 0;                                                                                              \
        }                                                                                                          \
    } while (0)

static void report(const char *name, int r) {
    if (r == 1) {
        printf("PASS %s\n", name);
    } else if (r < 0) {
        printf("SKIP %s: %s\n", name, why);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
    fflush(stdout);
}

#endif
