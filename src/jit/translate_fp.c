/* F and D instructions translated inline. None yet: every one is a call of the interpreter's
 * code (exact by construction), which translate.c emits when this says false. */
#include "translate.h"

bool translate_fp(struct tctx *t, const struct insn *in)
{
    (void)t;
    (void)in;
    return false;
}
