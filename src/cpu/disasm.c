/* The disassembler: turns a decoded instruction back into the text GNU objdump prints with
 * `-d -M no-aliases` (binutils 2.40, privileged spec 1.12 CSR names), so traces, the gdb stub
 * and the monitor read like the toolchain's listings and tests/disasm.sh can diff the two.
 * Each insn.def row has an operand template below; compressed rows use the decoder's expanded
 * fields, so c.lw prints rd, imm(rs1) exactly as lw does. objdump's " <sym>" and "# addr"
 * annotations are not produced (they need a symbol table and the previous instruction). */
#include "cpu_priv.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

const char *const insn_xreg_name[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *const insn_freg_name[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1",  "fa0",
    "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4",  "fs5",
    "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

/* objdump's names for the rm field; 5 and 6 are reserved and print as "unknown". */
static const char *const rm_name[8] = {
    "rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn",
};

/* Operand templates. Letters are fields of struct insn; anything else is copied:
 *   d s t   rd, rs1, rs2 as integer registers     D S T R   rd, rs1, rs2, rs3 as FP registers
 *   i       imm in decimal                         x         imm in hex (shift amounts)
 *   u       imm >> 12 in hex (lui, auipc, c.lui)   p         pc + imm, the branch/jump target
 *   c       CSR name, or its number in hex         z         rs1 field as a 5-bit immediate
 *   m       ",rm" unless rm is dyn                 f         fence predecessor,successor
 * Rows missing here have no operands. Grouped by hand, as insn.def is. */
/* clang-format off */
static const char *const templates[ROW_COUNT] = {
    [ROW_lui] = "d,u", [ROW_auipc] = "d,u", [ROW_jal] = "d,p", [ROW_jalr] = "d,i(s)",
    [ROW_beq] = "s,t,p", [ROW_bne] = "s,t,p", [ROW_blt] = "s,t,p", [ROW_bge] = "s,t,p",
    [ROW_bltu] = "s,t,p", [ROW_bgeu] = "s,t,p",
    [ROW_lb] = "d,i(s)", [ROW_lh] = "d,i(s)", [ROW_lw] = "d,i(s)", [ROW_ld] = "d,i(s)",
    [ROW_lbu] = "d,i(s)", [ROW_lhu] = "d,i(s)", [ROW_lwu] = "d,i(s)",
    [ROW_sb] = "t,i(s)", [ROW_sh] = "t,i(s)", [ROW_sw] = "t,i(s)", [ROW_sd] = "t,i(s)",
    [ROW_addi] = "d,s,i", [ROW_slti] = "d,s,i", [ROW_sltiu] = "d,s,i", [ROW_xori] = "d,s,i",
    [ROW_ori] = "d,s,i", [ROW_andi] = "d,s,i",
    [ROW_slli] = "d,s,x", [ROW_srli] = "d,s,x", [ROW_srai] = "d,s,x",
    [ROW_add] = "d,s,t", [ROW_sub] = "d,s,t", [ROW_sll] = "d,s,t", [ROW_slt] = "d,s,t",
    [ROW_sltu] = "d,s,t", [ROW_xor] = "d,s,t", [ROW_srl] = "d,s,t", [ROW_sra] = "d,s,t",
    [ROW_or] = "d,s,t", [ROW_and] = "d,s,t",
    [ROW_fence] = "f",
    [ROW_addiw] = "d,s,i", [ROW_slliw] = "d,s,x", [ROW_srliw] = "d,s,x", [ROW_sraiw] = "d,s,x",
    [ROW_addw] = "d,s,t", [ROW_subw] = "d,s,t", [ROW_sllw] = "d,s,t", [ROW_srlw] = "d,s,t",
    [ROW_sraw] = "d,s,t",

    [ROW_sfence_vma] = "s,t",
    [ROW_csrrw] = "d,c,s", [ROW_csrrs] = "d,c,s", [ROW_csrrc] = "d,c,s",
    [ROW_csrrwi] = "d,c,z", [ROW_csrrsi] = "d,c,z", [ROW_csrrci] = "d,c,z",

    [ROW_mul] = "d,s,t", [ROW_mulh] = "d,s,t", [ROW_mulhsu] = "d,s,t", [ROW_mulhu] = "d,s,t",
    [ROW_div] = "d,s,t", [ROW_divu] = "d,s,t", [ROW_rem] = "d,s,t", [ROW_remu] = "d,s,t",
    [ROW_mulw] = "d,s,t", [ROW_divw] = "d,s,t", [ROW_divuw] = "d,s,t", [ROW_remw] = "d,s,t",
    [ROW_remuw] = "d,s,t",

    [ROW_lr_w] = "d,(s)", [ROW_sc_w] = "d,t,(s)", [ROW_amoswap_w] = "d,t,(s)",
    [ROW_amoadd_w] = "d,t,(s)", [ROW_amoxor_w] = "d,t,(s)", [ROW_amoand_w] = "d,t,(s)",
    [ROW_amoor_w] = "d,t,(s)", [ROW_amomin_w] = "d,t,(s)", [ROW_amomax_w] = "d,t,(s)",
    [ROW_amominu_w] = "d,t,(s)", [ROW_amomaxu_w] = "d,t,(s)",
    [ROW_lr_d] = "d,(s)", [ROW_sc_d] = "d,t,(s)", [ROW_amoswap_d] = "d,t,(s)",
    [ROW_amoadd_d] = "d,t,(s)", [ROW_amoxor_d] = "d,t,(s)", [ROW_amoand_d] = "d,t,(s)",
    [ROW_amoor_d] = "d,t,(s)", [ROW_amomin_d] = "d,t,(s)", [ROW_amomax_d] = "d,t,(s)",
    [ROW_amominu_d] = "d,t,(s)", [ROW_amomaxu_d] = "d,t,(s)",

    [ROW_flw] = "D,i(s)", [ROW_fsw] = "T,i(s)",
    [ROW_fmadd_s] = "D,S,T,Rm", [ROW_fmsub_s] = "D,S,T,Rm", [ROW_fnmsub_s] = "D,S,T,Rm",
    [ROW_fnmadd_s] = "D,S,T,Rm",
    [ROW_fadd_s] = "D,S,Tm", [ROW_fsub_s] = "D,S,Tm", [ROW_fmul_s] = "D,S,Tm",
    [ROW_fdiv_s] = "D,S,Tm", [ROW_fsqrt_s] = "D,Sm",
    [ROW_fsgnj_s] = "D,S,T", [ROW_fsgnjn_s] = "D,S,T", [ROW_fsgnjx_s] = "D,S,T",
    [ROW_fmin_s] = "D,S,T", [ROW_fmax_s] = "D,S,T",
    [ROW_fcvt_w_s] = "d,Sm", [ROW_fcvt_wu_s] = "d,Sm", [ROW_fcvt_l_s] = "d,Sm",
    [ROW_fcvt_lu_s] = "d,Sm", [ROW_fmv_x_w] = "d,S",
    [ROW_feq_s] = "d,S,T", [ROW_flt_s] = "d,S,T", [ROW_fle_s] = "d,S,T", [ROW_fclass_s] = "d,S",
    [ROW_fcvt_s_w] = "D,sm", [ROW_fcvt_s_wu] = "D,sm", [ROW_fcvt_s_l] = "D,sm",
    [ROW_fcvt_s_lu] = "D,sm", [ROW_fmv_w_x] = "D,s",

    [ROW_fld] = "D,i(s)", [ROW_fsd] = "T,i(s)",
    [ROW_fmadd_d] = "D,S,T,Rm", [ROW_fmsub_d] = "D,S,T,Rm", [ROW_fnmsub_d] = "D,S,T,Rm",
    [ROW_fnmadd_d] = "D,S,T,Rm",
    [ROW_fadd_d] = "D,S,Tm", [ROW_fsub_d] = "D,S,Tm", [ROW_fmul_d] = "D,S,Tm",
    [ROW_fdiv_d] = "D,S,Tm", [ROW_fsqrt_d] = "D,Sm",
    [ROW_fsgnj_d] = "D,S,T", [ROW_fsgnjn_d] = "D,S,T", [ROW_fsgnjx_d] = "D,S,T",
    [ROW_fmin_d] = "D,S,T", [ROW_fmax_d] = "D,S,T",
    [ROW_fcvt_s_d] = "D,Sm", [ROW_fcvt_d_s] = "D,Sm",
    [ROW_feq_d] = "d,S,T", [ROW_flt_d] = "d,S,T", [ROW_fle_d] = "d,S,T", [ROW_fclass_d] = "d,S",
    [ROW_fcvt_w_d] = "d,Sm", [ROW_fcvt_wu_d] = "d,Sm", [ROW_fcvt_l_d] = "d,Sm",
    [ROW_fcvt_lu_d] = "d,Sm", [ROW_fmv_x_d] = "d,S",
    [ROW_fcvt_d_w] = "D,sm", [ROW_fcvt_d_wu] = "D,sm", [ROW_fcvt_d_l] = "D,sm",
    [ROW_fcvt_d_lu] = "D,sm", [ROW_fmv_d_x] = "D,s",

    [ROW_c_addi4spn] = "d,s,i", [ROW_c_fld] = "D,i(s)", [ROW_c_lw] = "d,i(s)",
    [ROW_c_ld] = "d,i(s)", [ROW_c_fsd] = "T,i(s)", [ROW_c_sw] = "t,i(s)", [ROW_c_sd] = "t,i(s)",
    [ROW_c_addi] = "d,i", [ROW_c_addiw] = "d,i", [ROW_c_li] = "d,i",
    [ROW_c_addi16sp] = "d,i", [ROW_c_lui] = "d,u", [ROW_c_srli] = "d,x", [ROW_c_srai] = "d,x",
    [ROW_c_andi] = "d,i", [ROW_c_sub] = "d,t", [ROW_c_xor] = "d,t", [ROW_c_or] = "d,t",
    [ROW_c_and] = "d,t", [ROW_c_subw] = "d,t", [ROW_c_addw] = "d,t", [ROW_c_j] = "p",
    [ROW_c_beqz] = "s,p", [ROW_c_bnez] = "s,p",
    [ROW_c_slli] = "d,x", [ROW_c_fldsp] = "D,i(s)", [ROW_c_lwsp] = "d,i(s)",
    [ROW_c_ldsp] = "d,i(s)", [ROW_c_jr] = "s", [ROW_c_mv] = "d,t", [ROW_c_jalr] = "s",
    [ROW_c_add] = "d,t", [ROW_c_fsdsp] = "T,i(s)", [ROW_c_swsp] = "t,i(s)",
    [ROW_c_sdsp] = "t,i(s)",
};
/* clang-format on */

/* CSR names objdump knows under privileged spec 1.12, including many visor does not implement
 * (hypervisor, debug, vector, AIA). Numbered families are ranges. */
struct csr_range {
    uint16_t num, count;
    uint8_t first; /* index printed for num */
    const char *name, *suffix;
};

static const struct csr_range csr_ranges[] = {
    {0xc03, 29, 3, "hpmcounter", ""},  {0xc83, 29, 3, "hpmcounter", "h"},
    {0xb03, 29, 3, "mhpmcounter", ""}, {0xb83, 29, 3, "mhpmcounter", "h"},
    {0x323, 29, 3, "mhpmevent", ""},   {0x723, 29, 3, "mhpmevent", "h"},
    {0x3a0, 16, 0, "pmpcfg", ""},      {0x3b0, 64, 0, "pmpaddr", ""},
    {0x10c, 4, 0, "sstateen", ""},     {0x30c, 4, 0, "mstateen", ""},
    {0x31c, 4, 0, "mstateen", "h"},    {0x60c, 4, 0, "hstateen", ""},
    {0x61c, 4, 0, "hstateen", "h"},
};

static const struct {
    uint16_t num;
    const char *name;
} csr_names[] = {
    {0x001, "fflags"},     {0x002, "frm"},       {0x003, "fcsr"},          {0x008, "vstart"},
    {0x009, "vxsat"},      {0x00a, "vxrm"},      {0x00f, "vcsr"},          {0x015, "seed"},
    {0x100, "sstatus"},    {0x104, "sie"},       {0x105, "stvec"},         {0x106, "scounteren"},
    {0x10a, "senvcfg"},    {0x114, "sieh"},      {0x140, "sscratch"},      {0x141, "sepc"},
    {0x142, "scause"},     {0x143, "stval"},     {0x144, "sip"},           {0x14d, "stimecmp"},
    {0x150, "siselect"},   {0x151, "sireg"},     {0x154, "siph"},          {0x15c, "stopei"},
    {0x15d, "stimecmph"},  {0x180, "satp"},      {0x200, "vsstatus"},      {0x204, "vsie"},
    {0x205, "vstvec"},     {0x214, "vsieh"},     {0x240, "vsscratch"},     {0x241, "vsepc"},
    {0x242, "vscause"},    {0x243, "vstval"},    {0x244, "vsip"},          {0x24d, "vstimecmp"},
    {0x250, "vsiselect"},  {0x251, "vsireg"},    {0x254, "vsiph"},         {0x25c, "vstopei"},
    {0x25d, "vstimecmph"}, {0x280, "vsatp"},     {0x300, "mstatus"},       {0x301, "misa"},
    {0x302, "medeleg"},    {0x303, "mideleg"},   {0x304, "mie"},           {0x305, "mtvec"},
    {0x306, "mcounteren"}, {0x308, "mvien"},     {0x309, "mvip"},          {0x30a, "menvcfg"},
    {0x310, "mstatush"},   {0x313, "midelegh"},  {0x314, "mieh"},          {0x318, "mvienh"},
    {0x319, "mviph"},      {0x31a, "menvcfgh"},  {0x320, "mcountinhibit"}, {0x340, "mscratch"},
    {0x341, "mepc"},       {0x342, "mcause"},    {0x343, "mtval"},         {0x344, "mip"},
    {0x34a, "mtinst"},     {0x34b, "mtval2"},    {0x350, "miselect"},      {0x351, "mireg"},
    {0x354, "miph"},       {0x35c, "mtopei"},    {0x5a8, "scontext"},      {0x600, "hstatus"},
    {0x602, "hedeleg"},    {0x603, "hideleg"},   {0x604, "hie"},           {0x605, "htimedelta"},
    {0x606, "hcounteren"}, {0x607, "hgeie"},     {0x608, "hvien"},         {0x609, "hvictl"},
    {0x60a, "henvcfg"},    {0x613, "hidelegh"},  {0x615, "htimedeltah"},   {0x618, "hvienh"},
    {0x61a, "henvcfgh"},   {0x643, "htval"},     {0x644, "hip"},           {0x645, "hvip"},
    {0x646, "hviprio1"},   {0x647, "hviprio2"},  {0x64a, "htinst"},        {0x655, "hviph"},
    {0x656, "hviprio1h"},  {0x657, "hviprio2h"}, {0x680, "hgatp"},         {0x6a8, "hcontext"},
    {0x747, "mseccfg"},    {0x757, "mseccfgh"},  {0x7a0, "tselect"},       {0x7a1, "tdata1"},
    {0x7a2, "tdata2"},     {0x7a3, "tdata3"},    {0x7a4, "tinfo"},         {0x7a5, "tcontrol"},
    {0x7a8, "mcontext"},   {0x7aa, "mscontext"}, {0x7b0, "dcsr"},          {0x7b1, "dpc"},
    {0x7b2, "dscratch0"},  {0x7b3, "dscratch1"}, {0xb00, "mcycle"},        {0xb02, "minstret"},
    {0xb80, "mcycleh"},    {0xb82, "minstreth"}, {0xc00, "cycle"},         {0xc01, "time"},
    {0xc02, "instret"},    {0xc20, "vl"},        {0xc21, "vtype"},         {0xc22, "vlenb"},
    {0xc80, "cycleh"},     {0xc81, "timeh"},     {0xc82, "instreth"},      {0xda0, "scountovf"},
    {0xdb0, "stopi"},      {0xe12, "hgeip"},     {0xeb0, "vstopi"},        {0xf11, "mvendorid"},
    {0xf12, "marchid"},    {0xf13, "mimpid"},    {0xf14, "mhartid"},       {0xf15, "mconfigptr"},
    {0xfb0, "mtopi"},
};

/* A bounded writer: len counts everything asked for, the buffer keeps what fits. */
struct out {
    char *buf;
    size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void put_csr(struct out *o, unsigned csr)
{
    for (size_t i = 0; i < ARRAY_SIZE(csr_names); i++)
        if (csr_names[i].num == csr) {
            put(o, "%s", csr_names[i].name);
            return;
        }
    for (size_t i = 0; i < ARRAY_SIZE(csr_ranges); i++) {
        const struct csr_range *r = &csr_ranges[i];
        if (csr >= r->num && csr < r->num + r->count) {
            put(o, "%s%u%s", r->name, r->first + (csr - r->num), r->suffix);
            return;
        }
    }
    put(o, "0x%x", csr);
}

/* Fence sets as objdump spells them: the letters present in "iorw" order, or "unknown". */
static void put_fence_set(struct out *o, unsigned set)
{
    if (set == 0) {
        put(o, "unknown");
        return;
    }
    static const char letters[] = "iorw";
    for (unsigned b = 0; b < 4; b++)
        if (set & (8u >> b))
            put(o, "%c", letters[b]);
}

static void put_mnemonic(struct out *o, const char *name)
{
    for (const char *c = name; *c; c++)
        put(o, "%c", *c == '_' ? '.' : *c);
}

/* Rows objdump prints under another name, or as .4byte because a field the hart ignores is
 * not zero (following objdump there keeps the odd bits visible). True if it printed. */
static bool put_special(struct out *o, const struct insn *in)
{
    uint32_t raw = in->raw;
    switch (in->row) {
    case ROW_fence:
        /* objdump knows fence only with fm, rs1 and rd zero, and fence.tso exactly. */
        if (raw == 0x8330000f) {
            put(o, "fence.tso");
            return true;
        }
        if (raw & 0xf00f8f80u) {
            put(o, ".4byte\t0x%x", raw);
            return true;
        }
        return false;
    case ROW_fence_i:
        if (raw != 0x0000100f) {
            put(o, ".4byte\t0x%x", raw);
            return true;
        }
        return false;
    case ROW_csrrw:
        if (raw == 0xc0001073) { /* csrrw zero,cycle,zero: the canonical unimp */
            put(o, "unimp");
            return true;
        }
        return false;
    case ROW_c_nop:
        /* objdump with no-aliases prints c.nop as the c.addi it is. */
        put(o, "c.addi\tzero,0");
        return true;
    case ROW_c_slli:
    case ROW_c_srli:
    case ROW_c_srai:
        if (in->imm == 0) { /* shamt 0: the RV128 64-bit shift, a hint on RV64 */
            put_mnemonic(o, insn_row_name(in->row));
            put(o, "64\t%s", insn_xreg_name[in->rd]);
            return true;
        }
        return false;
    }
    return false;
}

int insn_disasm(const struct insn *in, uint64_t pc, char *buf, size_t size)
{
    struct out o = {buf, size, 0};
    if (size)
        buf[0] = '\0';

    if (in->row >= ROW_ILLEGAL) {
        if (in->len == 2 && (in->raw & 0xffff) == 0)
            put(&o, "c.unimp");
        else if (in->len == 2 && (in->raw & 0xffff) == 0x6101) /* reserved, objdump decodes it */
            put(&o, "c.addi16sp\tsp,0");
        else if (in->len == 2)
            put(&o, ".2byte\t0x%x", in->raw & 0xffff);
        else
            put(&o, ".4byte\t0x%x", in->raw);
        goto done;
    }
    if (put_special(&o, in))
        goto done;

    put_mnemonic(&o, insn_row_name(in->row));
    /* The 22 A rows are one block of insn.def; their aq/rl bits become a suffix. */
    _Static_assert(ROW_amomaxu_d - ROW_lr_w == 21, "A rows moved in insn.def");
    if (in->row >= ROW_lr_w && in->row <= ROW_amomaxu_d) {
        static const char *const order[4] = {"", ".rl", ".aq", ".aqrl"};
        put(&o, "%s", order[(in->raw >> 25) & 3]);
    }

    const char *t = templates[in->row];
    if (!t)
        goto done;
    put(&o, "\t");
    for (; *t; t++) {
        switch (*t) {
        case 'd':
            put(&o, "%s", insn_xreg_name[in->rd]);
            break;
        case 's':
            put(&o, "%s", insn_xreg_name[in->rs1]);
            break;
        case 't':
            put(&o, "%s", insn_xreg_name[in->rs2]);
            break;
        case 'D':
            put(&o, "%s", insn_freg_name[in->rd]);
            break;
        case 'S':
            put(&o, "%s", insn_freg_name[in->rs1]);
            break;
        case 'T':
            put(&o, "%s", insn_freg_name[in->rs2]);
            break;
        case 'R':
            put(&o, "%s", insn_freg_name[in->rs3]);
            break;
        case 'i':
            put(&o, "%" PRId64, in->imm);
            break;
        case 'x':
            put(&o, "0x%" PRIx64, (uint64_t)in->imm);
            break;
        case 'u':
            put(&o, "0x%" PRIx64, ((uint64_t)in->imm >> 12) & 0xfffff);
            break;
        case 'p':
            put(&o, "0x%" PRIx64, pc + (uint64_t)in->imm);
            break;
        case 'c':
            put_csr(&o, (unsigned)in->imm);
            break;
        case 'z':
            put(&o, "%u", (unsigned)in->rs1);
            break;
        case 'm':
            /* The widening conversions are exact: objdump decodes them only with rm 0 (rne),
             * printing no rm, and lists any other rm as .4byte. The hart runs them with any
             * rm, so visor shows the instruction and that rm. */
            if ((in->row == ROW_fcvt_d_s || in->row == ROW_fcvt_d_w || in->row == ROW_fcvt_d_wu)
                    ? in->rm != 0
                    : in->rm != 7)
                put(&o, ",%s", rm_name[in->rm]);
            break;
        case 'f':
            put_fence_set(&o, (in->raw >> 24) & 15);
            put(&o, ",");
            put_fence_set(&o, (in->raw >> 20) & 15);
            break;
        default:
            put(&o, "%c", *t);
            break;
        }
    }
done:
    if (size == 0)
        return 0;
    return (int)(o.len < size ? o.len : size - 1);
}
