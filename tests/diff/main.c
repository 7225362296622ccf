/* The differential test's driver: runs programs 0, 1, 2, ... of a seed until a time or count
 * limit, stops at the first divergence, then prints the seed, the totals, per-row coverage
 * and "diff: N passed, M failed" (the checks: the engines agreed; every row of insn.def ran).
 *
 *   diff [--seed N] [--time SECONDS] [--programs N] [--program I] [--engine E] [-v] [--dump]
 *
 * --program I replays program I of the seed alone (with -v, every instruction; with --dump,
 * the code as generated). --engine
 * interp runs the interpreter against itself, which checks the harness and the determinism of
 * the reference; --engine mutant:ROW against an interpreter that gets row ROW wrong, which
 * checks that a divergence is caught and located. A crash or a hang names the program being
 * run, to be replayed. */
#include "diff.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t cur_seed, cur_index;
static volatile sig_atomic_t cur_running;
static const char *argv0;
static struct sigaction old_actions[32];

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Async-signal-safe: formats with no stdio. */
static void say_program(const char *why)
{
    char buf[256];
    unsigned n = 0;
    const char *parts[] = {
        "\ndiff: ", why,  " in program ", NULL, " of seed ", NULL, "; reproduce with: ", argv0,
        " --seed ", NULL, " --program ",  NULL, "\n"};
    char num[4][24];
    uint64_t vals[4] = {cur_index, cur_seed, cur_seed, cur_index};
    for (unsigned i = 0; i < 4; i++) {
        char tmp[24];
        unsigned k = 0;
        uint64_t v = vals[i];
        do
            tmp[k++] = (char)('0' + v % 10);
        while ((v /= 10) && k < sizeof(tmp));
        for (unsigned j = 0; j < k; j++)
            num[i][j] = tmp[k - 1 - j];
        num[i][k] = 0;
    }
    parts[3] = num[0], parts[5] = num[1], parts[9] = num[2], parts[11] = num[3];
    for (unsigned i = 0; i < ARRAY_SIZE(parts); i++)
        for (const char *s = parts[i]; *s && n < sizeof(buf); s++)
            buf[n++] = *s;
    ssize_t w = write(2, buf, n);
    (void)w;
}

static void on_crash(int sig)
{
    if (cur_running)
        say_program(strsignal(sig));
    /* Put back the previous handler (the sanitizer's, or the default) and return: the
     * faulting instruction runs again and that handler reports it. */
    sigaction(sig, &old_actions[sig], NULL);
    if (sig == SIGABRT || sig == SIGALRM)
        raise(sig);
}

static void install_handlers(void)
{
    const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM};
    for (unsigned i = 0; i < ARRAY_SIZE(sigs); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_crash;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, &old_actions[sigs[i]]);
    }
}

/* `li` is the generator's workhorse for addresses and CSR values: check it on the reference
 * before trusting it (both engines would run a wrong li alike, unnoticed). */
static bool selftest_li(struct machine *m)
{
    struct rng r;
    rng_seed(&r, 1);
    for (unsigned i = 0; i < 2000; i++) {
        uint64_t v = i < 64 ? 1ull << i : rng_interesting(&r);
        uint32_t w[8];
        unsigned n = asm_li(w, 5, v);
        hart_init(&m->hart, 0, &m->bus);
        if (bus_copy_to(&m->bus, CODE_PA, w, 4 * n) != 0)
            return false;
        m->hart.pc = CODE_PA;
        if (hart_run(&m->hart, n) != n || m->hart.x[5] != v) {
            fprintf(stderr, "diff: li 0x%" PRIx64 " gave 0x%" PRIx64 "\n", v, m->hart.x[5]);
            return false;
        }
    }
    return true;
}

/* The program's code as generated (before it runs and rewrites itself). */
static void dump_code(const struct prog *p)
{
    for (unsigned i = 0; i < p->nslots; i++) {
        uint32_t w;
        memcpy(&w, p->ram + (CODE_PA - RAM_BASE) + 4 * i, 4);
        uint64_t pc = CODE_PA + 4 * i;
        for (unsigned half = 0; half < 2; half++) {
            uint32_t raw = half ? w >> 16 : w;
            if (half && (w & 3) == 3)
                break;
            struct insn in;
            char text[96];
            insn_decode((raw & 3) == 3 ? raw : raw & 0xffff, &in);
            insn_disasm(&in, pc + 2 * half, text, sizeof(text));
            printf("  0x%08" PRIx64 "  %08x  %s\n", pc + 2 * half, raw, text);
        }
    }
}

NORETURN static void usage(void)
{
    fprintf(stderr,
            "usage: %s [--seed N] [--time SECONDS] [--programs N] [--program I] "
            "[--engine jit|interp|mutant:ROW] [-v] [--dump]\n",
            argv0);
    exit(2);
}

static int row_by_name(const char *name)
{
    for (unsigned row = 0; row < ROW_ILLEGAL; row++)
        if (!strcmp(insn_row_name(row), name))
            return (int)row;
    usage();
}

int main(int argc, char **argv)
{
    argv0 = argv[0];
    uint64_t seed = now_ns() ^ (uint64_t)getpid() << 32;
    double seconds = 10;
    uint64_t programs = UINT64_MAX, first = 0;
    bool one = false, verbose = false, dump = false, use_jit = true;
    int mutant = -1;
    const char *engine = ""; /* the --engine option to repeat in a reproduction command */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = true;
            continue;
        }
        if (!strcmp(a, "--dump")) {
            dump = true;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--seed"))
            seed = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--time"))
            seconds = atof(v);
        else if (!strcmp(a, "--programs"))
            programs = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--program"))
            first = strtoull(v, NULL, 0), one = true;
        else if (!strcmp(a, "--engine") && (!strcmp(v, "jit") || !strcmp(v, "interp")))
            use_jit = !strcmp(v, "jit"), engine = v;
        else if (!strcmp(a, "--engine") && !strncmp(v, "mutant:", 7))
            use_jit = false, mutant = row_by_name(v + 7), engine = v;
        else
            usage();
    }
    if (one)
        programs = 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    install_handlers();
    printf("diff: seed %" PRIu64 "; reference interp, test %s\n", seed,
           use_jit       ? "jit"
           : mutant >= 0 ? "interp with a planted bug"
                         : "interp");

    static struct machine ref, test;
    machine_init(&ref, "interp", false);
    machine_init(&test, use_jit ? "jit" : mutant >= 0 ? "mutant" : "interp2", use_jit);
    test.mutant_row = mutant;
    if (!selftest_li(&ref)) {
        printf("diff: 0 passed, 1 failed (the li self-test failed)\n");
        return 1;
    }

    static struct prog p;
    static struct run_stats st;
    p.ram = xcalloc(1, RAM_SIZE);
    uint64_t start = now_ns(), limit = (uint64_t)(seconds * 1e9), ran = 0;
    /* A hang in an engine: the alarm names the program. Generous: locating a divergence
     * replays a program many times. */
    if (!one)
        alarm((unsigned)seconds + 300);
    bool agreed = true;
    for (uint64_t i = first; ran < programs; i++) {
        if (!one && now_ns() - start >= limit)
            break;
        struct rng r;
        rng_seed(&r, seed ^ (i * 0xd1b54a32d192ed03ull));
        p.seed = seed;
        p.index = i;
        world_build(&p, &r);
        gen_code(&p, &r);
        if (dump)
            dump_code(&p);
        cur_seed = seed, cur_index = i, cur_running = 1;
        if (verbose)
            printf("diff: program %" PRIu64 ": %u slots, starts in %c mode, satp 0x%" PRIx64
                   ", budget %" PRIu64 "\n",
                   i, p.nslots, "USHM"[p.init.priv], p.init.satp, p.budget);
        bool ok = run_prog(&p, &ref, &test, rng_next(&r), &st, verbose, stdout);
        cur_running = 0;
        ran++;
        if (!ok) {
            printf("diff: program %" PRIu64 " of seed %" PRIu64 " diverged; reproduce with: "
                   "%s --seed %" PRIu64 " --program %" PRIu64 "%s%s\n",
                   i, seed, argv0, seed, i, *engine ? " --engine " : "", engine);
            agreed = false;
            break;
        }
    }
    alarm(0);
    double secs = (double)(now_ns() - start) / 1e9;

    printf("diff: seed %" PRIu64 ": %" PRIu64 " programs, %" PRIu64 " instructions (M %" PRIu64
           ", S %" PRIu64 ", U %" PRIu64 "), %" PRIu64 " reached the end, %" PRIu64
           " chunks compared, %.1f s\n",
           seed, ran, st.insns, st.insns_priv[PRIV_M], st.insns_priv[PRIV_S], st.insns_priv[PRIV_U],
           st.ended, st.chunks, secs);
    if (use_jit)
        machine_print_jit_stats(stdout);
    unsigned hit = 0;
    uint64_t in_blocks = 0;
    for (unsigned row = 0; row < ROW_ILLEGAL; row++) {
        hit += st.row_hits[row] != 0;
        in_blocks += st.row_hits[row];
    }
    printf("diff: %" PRIu64 " instructions of the random blocks ran (the rest: trap handlers)\n",
           in_blocks);
    printf("diff: coverage: %u of %u insn.def rows executed", hit, (unsigned)ROW_ILLEGAL);
    if (hit < ROW_ILLEGAL) {
        printf("; never:");
        for (unsigned row = 0; row < ROW_ILLEGAL; row++)
            if (!st.row_hits[row])
                printf(" %s", insn_row_name(row));
    }
    printf("\n");
    /* The rarest rows, to see the margin before one goes missing. */
    bool shown[ROW_COUNT] = {false};
    printf("diff: rarest rows:");
    for (unsigned k = 0; k < 6; k++) {
        unsigned best = ROW_ILLEGAL;
        for (unsigned row = 0; row < ROW_ILLEGAL; row++)
            if (!shown[row] && (best == ROW_ILLEGAL || st.row_hits[row] < st.row_hits[best]))
                best = row;
        shown[best] = true;
        printf(" %s %" PRIu64, insn_row_name(best), st.row_hits[best]);
    }
    printf("\n");
    if (verbose || getenv("DIFF_COVERAGE")) {
        for (unsigned row = 0; row < ROW_ILLEGAL; row++)
            printf("diff:   %-12s %" PRIu64 "\n", insn_row_name(row), st.row_hits[row]);
    }
    /* The checks: the engines agreed; every row ran (which one program cannot do, and which
     * means nothing once a divergence stopped the run); the generator kept its invariants. */
    bool covered = one || hit == ROW_ILLEGAL, sound = !st.broken;
    unsigned passed = sound + (agreed ? 1u + covered : 0u);
    unsigned failed = !sound + (agreed ? !covered : 1u);
    printf("diff: %u passed, %u failed\n", passed, failed);
    free(p.ram);
    machine_free(&ref);
    machine_free(&test);
    return failed ? 1 : 0;
}
