/* Integer benchmark, in the spirit of CoreMark: each round sorts and searches a linked list,
 * multiplies small integer matrices, runs a number-recognising state machine over a text and
 * folds every result into a CRC-16. The working set (a few KiB) stays in the L1 cache, so this
 * measures how fast the emulator runs branches, ALU work and short loads, not memory.
 * Each round's inputs depend on the previous round's CRC, so no round can be hoisted or skipped. */
#include "bench.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum { ROUNDS = 100000, LIST_LEN = 96, MAT_N = 16, TEXT_LEN = 256 };

static uint16_t crc16_byte(uint16_t crc, uint8_t b)
{
    for (int i = 0; i < 8; i++) {
        bool bit = ((crc ^ b) & 1) != 0;
        crc >>= 1;
        b >>= 1;
        if (bit)
            crc ^= 0xa001;
    }
    return crc;
}

static uint16_t crc16_u32(uint16_t crc, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        crc = crc16_byte(crc, (uint8_t)(v >> (8 * i)));
    return crc;
}

/* ---- linked list ---------------------------------------------------------------------------- */

struct node {
    struct node *next;
    int32_t key;
    uint16_t data;
};

static struct node nodes[LIST_LEN];

static struct node *list_build(uint32_t seed)
{
    for (int i = 0; i < LIST_LEN; i++) {
        seed = seed * 1103515245u + 12345u;
        nodes[i].key = i;
        nodes[i].data = (uint16_t)(seed >> 16);
        nodes[i].next = i + 1 < LIST_LEN ? &nodes[i + 1] : NULL;
    }
    return &nodes[0];
}

static struct node *list_reverse(struct node *l)
{
    struct node *r = NULL;
    while (l) {
        struct node *n = l->next;
        l->next = r;
        r = l;
        l = n;
    }
    return r;
}

static struct node *list_find(struct node *l, uint16_t data)
{
    while (l && l->data != data)
        l = l->next;
    return l;
}

/* Bottom-up merge sort on the list itself, by data then key: pointer-chasing and
 * hard-to-predict branches, which is what makes list code slow on emulators. */
static struct node *list_sort(struct node *l)
{
    for (int width = 1;; width *= 2) {
        struct node *p = l, *head = NULL, **tail = &head;
        int merges = 0;
        while (p) {
            struct node *q = p;
            int psize = 0, qsize = width;
            merges++;
            while (q && psize < width) {
                psize++;
                q = q->next;
            }
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                if (psize == 0) {
                    e = q, q = q->next, qsize--;
                } else if (qsize == 0 || !q) {
                    e = p, p = p->next, psize--;
                } else if (p->data < q->data || (p->data == q->data && p->key <= q->key)) {
                    e = p, p = p->next, psize--;
                } else {
                    e = q, q = q->next, qsize--;
                }
                *tail = e;
                tail = &e->next;
            }
            p = q;
        }
        *tail = NULL;
        l = head;
        if (merges <= 1)
            return l;
    }
}

static uint16_t list_round(uint16_t crc)
{
    struct node *l = list_build(crc);
    l = list_reverse(l);
    for (int i = 0; i < 8; i++) {
        struct node *f = list_find(l, nodes[(crc + i * 11) % LIST_LEN].data);
        crc = crc16_u32(crc, f ? (uint32_t)f->key : 0xffffffffu);
    }
    l = list_sort(l);
    for (int i = 0; l && i < LIST_LEN; i += 7) {
        crc = crc16_u32(crc, (uint32_t)l->key ^ l->data);
        for (int k = 0; k < 7 && l; k++)
            l = l->next;
    }
    return crc;
}

/* ---- matrices ------------------------------------------------------------------------------- */

static int16_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N];
static int32_t mc[MAT_N][MAT_N];

static uint16_t matrix_round(uint16_t crc)
{
    int16_t k = (int16_t)(crc | 1);
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (int16_t)((i * 37 + j * 11 + k) & 0x3ff);
            mb[i][j] = (int16_t)((i * 7 - j * 29 + (k >> 3)) & 0x1ff);
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int x = 0; x < MAT_N; x++)
                s += (int32_t)ma[i][x] * mb[x][j];
            mc[i][j] = s;
        }
    /* add a constant, scale, and pick bit fields: CoreMark's mix of matrix operations */
    int32_t acc = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t v = (mc[i][j] + k) * 3;
            acc += ((v >> 2) & 0xf) * ((v >> 5) & 0x7f);
            if (v > acc)
                acc ^= v;
        }
    return crc16_u32(crc, (uint32_t)acc);
}

/* ---- state machine -------------------------------------------------------------------------- */

enum state {
    S_START,
    S_INT,
    S_SIGN,
    S_HEX0,
    S_HEX,
    S_FLOAT,
    S_EXP,
    S_EXPSIGN,
    S_EXPDIGIT,
    S_BAD,
    S_COUNT
};

static char text[TEXT_LEN + 1];
static const char *const tokens[] = {"5012", "1.23e-4", "-874", "+0x1F",   "0x7a", "3.5",
                                     "--9",  "17E+2",   "x12",  "6.02e23", "+44",  "0"};

static void text_build(void)
{
    size_t n = 0, t = 0;
    while (n + 10 < TEXT_LEN) {
        size_t len = strlen(tokens[t]);
        memcpy(text + n, tokens[t], len);
        n += len;
        text[n++] = ',';
        t = (t + 1) % (sizeof(tokens) / sizeof(tokens[0]));
    }
    text[n] = 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static enum state step(enum state s, char c)
{
    switch (s) {
    case S_START:
        if (c == '0')
            return S_HEX0;
        if (is_digit(c))
            return S_INT;
        return c == '+' || c == '-' ? S_SIGN : S_BAD;
    case S_SIGN:
        if (c == '0')
            return S_HEX0;
        return is_digit(c) ? S_INT : S_BAD;
    case S_HEX0:
        if (c == 'x' || c == 'X')
            return S_HEX;
        if (c == '.')
            return S_FLOAT;
        return is_digit(c) ? S_INT : S_BAD;
    case S_HEX:
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ? S_HEX : S_BAD;
    case S_INT:
        if (c == '.')
            return S_FLOAT;
        if (c == 'e' || c == 'E')
            return S_EXP;
        return is_digit(c) ? S_INT : S_BAD;
    case S_FLOAT:
        if (c == 'e' || c == 'E')
            return S_EXP;
        return is_digit(c) ? S_FLOAT : S_BAD;
    case S_EXP:
        if (c == '+' || c == '-')
            return S_EXPSIGN;
        return is_digit(c) ? S_EXPDIGIT : S_BAD;
    case S_EXPSIGN:
    case S_EXPDIGIT:
        return is_digit(c) ? S_EXPDIGIT : S_BAD;
    default:
        return S_BAD;
    }
}

static uint16_t state_round(uint16_t crc)
{
    unsigned final[S_COUNT] = {0}, transitions = 0;
    /* corrupt one character per round (and repair it after), as CoreMark does, so the branch
     * pattern is not the same every time */
    size_t at = crc % TEXT_LEN;
    char saved = text[at];
    if (saved && saved != ',')
        text[at] = (char)('0' + (crc >> 4) % 10);
    enum state s = S_START;
    for (const char *p = text; *p; p++) {
        if (*p == ',') {
            final[s]++;
            s = S_START;
            continue;
        }
        enum state n = step(s, *p);
        transitions += n != s;
        s = n;
    }
    text[at] = saved;
    for (int i = 0; i < S_COUNT; i++)
        crc = crc16_u32(crc, final[i]);
    return crc16_u32(crc, transitions);
}

int main(int argc, char **argv)
{
    unsigned rounds = ROUNDS * bench_scale(argc, argv);
    text_build();
    double t0 = bench_now();
    uint16_t crc = 0xffff;
    uint64_t sum = 0;
    for (unsigned r = 0; r < rounds; r++) {
        crc = list_round(crc);
        crc = matrix_round(crc);
        crc = state_round(crc);
        sum = sum * 31 + crc;
    }
    double t1 = bench_now();
    bench_report("int", sum, t1 - t0);
    return 0;
}
