/* A tiny unit-test harness: each tests/unit/test_*.c is one program; TEST() blocks are
 * registered by constructor and run in order; the program prints one line per failure and a
 * final "unit <name>: N passed, M failed" and exits non-zero on any failure. */
#ifndef VISOR_TEST_H
#define VISOR_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

extern struct test_case test_cases[512];
extern int test_count, test_failed_checks, test_current_failed;

#define TEST(name)                                                                             \
    static void test_##name(void);                                                             \
    __attribute__((constructor)) static void register_##name(void)                             \
    {                                                                                          \
        test_cases[test_count++] = (struct test_case){#name, test_##name};                     \
    }                                                                                          \
    static void test_##name(void)

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
            test_failed_checks++;                                                              \
            test_current_failed = 1;                                                           \
        }                                                                                      \
    } while (0)

#define CHECK_EQ(a, b)                                                                         \
    do {                                                                                       \
        uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                                     \
        if (va_ != vb_) {                                                                      \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = 0x%" PRIx64 ", %s = 0x%" PRIx64 "\n",\
                    __FILE__, __LINE__, #a, va_, #b, vb_);                                     \
            test_failed_checks++;                                                              \
            test_current_failed = 1;                                                           \
        }                                                                                      \
    } while (0)

/* Include once, in exactly one translation unit of each test program, via TEST_MAIN. */
#define TEST_MAIN(suite)                                                                       \
    struct test_case test_cases[512];                                                          \
    int test_count, test_failed_checks, test_current_failed;                                   \
    int main(void)                                                                             \
    {                                                                                          \
        int passed = 0, failed = 0;                                                            \
        for (int i = 0; i < test_count; i++) {                                                 \
            test_current_failed = 0;                                                           \
            test_cases[i].fn();                                                                \
            if (test_current_failed) {                                                         \
                fprintf(stderr, "FAIL %s.%s\n", suite, test_cases[i].name);                    \
                failed++;                                                                      \
            } else {                                                                           \
                passed++;                                                                      \
            }                                                                                  \
        }                                                                                      \
        printf("unit %s: %d passed, %d failed\n", suite, passed, failed);                      \
        return failed ? 1 : 0;                                                                 \
    }

#endif
