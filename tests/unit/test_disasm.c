/* The disassembler: exact strings that riscv64-unknown-elf-objdump -d -M no-aliases (binutils
 * 2.40, privileged spec 1.12 names) prints for these words at these addresses, at least one per
 * insn.def row, plus reserved encodings and the edge cases where visor's output is its own
 * choice. tests/disasm.sh compares against objdump itself on many more. */
#include "cpu/cpu.h"
#include "test.h"

struct expect {
    uint64_t pc;
    uint32_t raw;
    const char *text;
};

/* Listed by objdump, its " <sym>" and "# ..." annotations dropped and targets written 0x... */
static const struct expect cases[] = {
    {0x80000000, 0xfffff537, "lui\ta0,0xfffff"},
    {0x80000004, 0x00001037, "lui\tzero,0x1"},
    {0x80000008, 0x80000f97, "auipc\tt6,0x80000"},
    {0x8000000c, 0x001000ef, "jal\tra,0x8000080c"},
    {0x80000010, 0xffdff06f, "jal\tzero,0x8000000c"},
    {0x80000014, 0x000500e7, "jalr\tra,0(a0)"},
    {0x80000018, 0x800f8067, "jalr\tzero,-2048(t6)"},
    {0x8000001c, 0x00b50863, "beq\ta0,a1,0x8000002c"},
    {0x80000020, 0x81b01063, "bne\tzero,s11,0x7ffff020"},
    {0x80000024, 0x7e62cfe3, "blt\tt0,t1,0x80001022"},
    {0x80000028, 0xfee7dfe3, "bge\ta5,a4,0x80000026"},
    {0x8000002c, 0x00946463, "bltu\ts0,s1,0x80000034"},
    {0x80000030, 0xfe20fce3, "bgeu\tra,sp,0x80000028"},
    {0x80000034, 0xfff10503, "lb\ta0,-1(sp)"},
    {0x80000038, 0x7ff61583, "lh\ta1,2047(a2)"},
    {0x8000003c, 0x07c7a503, "lw\ta0,124(a5)"},
    {0x80000040, 0x8004b403, "ld\ts0,-2048(s1)"},
    {0x80000044, 0x00034283, "lbu\tt0,0(t1)"},
    {0x80000048, 0x00625183, "lhu\tgp,6(tp)"},
    {0x8000004c, 0xff886883, "lwu\ta7,-8(a6)"},
    {0x80000050, 0xfea10fa3, "sb\ta0,-1(sp)"},
    {0x80000054, 0x7ff01fa3, "sh\tt6,2047(zero)"},
    {0x80000058, 0x80b52023, "sw\ta1,-2048(a0)"},
    {0x8000005c, 0x00113423, "sd\tra,8(sp)"},
    {0x80000060, 0xfff50513, "addi\ta0,a0,-1"},
    {0x80000064, 0x00000013, "addi\tzero,zero,0"},
    {0x80000068, 0x8005a513, "slti\ta0,a1,-2048"},
    {0x8000006c, 0x00133293, "sltiu\tt0,t1,1"},
    {0x80000070, 0xfff5c513, "xori\ta0,a1,-1"},
    {0x80000074, 0x7ff9e913, "ori\ts2,s3,2047"},
    {0x80000078, 0x0ffefe13, "andi\tt3,t4,255"},
    {0x8000007c, 0x03f59513, "slli\ta0,a1,0x3f"},
    {0x80000080, 0x0015d513, "srli\ta0,a1,0x1"},
    {0x80000084, 0x4205d513, "srai\ta0,a1,0x20"},
    {0x80000088, 0x00c58533, "add\ta0,a1,a2"},
    {0x8000008c, 0x406002b3, "sub\tt0,zero,t1"},
    {0x80000090, 0x016a9a33, "sll\ts4,s5,s6"},
    {0x80000094, 0x019c2bb3, "slt\ts7,s8,s9"},
    {0x80000098, 0x01cdbd33, "sltu\ts10,s11,t3"},
    {0x8000009c, 0x01ff4eb3, "xor\tt4,t5,t6"},
    {0x800000a0, 0x00f756b3, "srl\ta3,a4,a5"},
    {0x800000a4, 0x4128d833, "sra\ta6,a7,s2"},
    {0x800000a8, 0x005261b3, "or\tgp,tp,t0"},
    {0x800000ac, 0x003170b3, "and\tra,sp,gp"},
    {0x800000b0, 0x0ff0000f, "fence\tiorw,iorw"},
    {0x800000b4, 0x0310000f, "fence\trw,w"},
    {0x800000b8, 0x0840000f, "fence\ti,o"},
    {0x800000bc, 0x8330000f, "fence.tso"},
    {0x800000c0, 0x0000100f, "fence.i"},
    {0x800000c4, 0x00000073, "ecall"},
    {0x800000c8, 0x00100073, "ebreak"},
    {0x800000cc, 0xc0001073, "unimp"},
    {0x800000d0, 0x0015051b, "addiw\ta0,a0,1"},
    {0x800000d4, 0x8003029b, "addiw\tt0,t1,-2048"},
    {0x800000d8, 0x01f5951b, "slliw\ta0,a1,0x1f"},
    {0x800000dc, 0x0005d51b, "srliw\ta0,a1,0x0"},
    {0x800000e0, 0x4105d51b, "sraiw\ta0,a1,0x10"},
    {0x800000e4, 0x00c5853b, "addw\ta0,a1,a2"},
    {0x800000e8, 0x40c5853b, "subw\ta0,a1,a2"},
    {0x800000ec, 0x00c5953b, "sllw\ta0,a1,a2"},
    {0x800000f0, 0x00c5d53b, "srlw\ta0,a1,a2"},
    {0x800000f4, 0x40c5d53b, "sraw\ta0,a1,a2"},
    {0x800000f8, 0x30200073, "mret"},
    {0x800000fc, 0x10200073, "sret"},
    {0x80000100, 0x10500073, "wfi"},
    {0x80000104, 0x12000073, "sfence.vma\tzero,zero"},
    {0x80000108, 0x12b50073, "sfence.vma\ta0,a1"},
    {0x8000010c, 0x30051073, "csrrw\tzero,mstatus,a0"},
    {0x80000110, 0xf1402573, "csrrs\ta0,mhartid,zero"},
    {0x80000114, 0x344332f3, "csrrc\tt0,mip,t1"},
    {0x80000118, 0x340fd073, "csrrwi\tzero,mscratch,31"},
    {0x8000011c, 0x7c00e573, "csrrsi\ta0,0x7c0,1"},
    {0x80000120, 0x00107573, "csrrci\ta0,fflags,0"},
    {0x80000124, 0xc0302573, "csrrs\ta0,hpmcounter3,zero"},
    {0x80000128, 0xb9f02573, "csrrs\ta0,mhpmcounter31h,zero"},
    {0x8000012c, 0x30a02573, "csrrs\ta0,menvcfg,zero"},
    {0x80000130, 0x7b002573, "csrrs\ta0,dcsr,zero"},
    {0x80000134, 0x3ef02573, "csrrs\ta0,pmpaddr63,zero"},
    {0x80000138, 0x3f002573, "csrrs\ta0,0x3f0,zero"},
    {0x8000013c, 0x00002573, "csrrs\ta0,0x0,zero"},
    {0x80000140, 0x61f02573, "csrrs\ta0,hstateen3h,zero"},
    {0x80000144, 0x02c58533, "mul\ta0,a1,a2"},
    {0x80000148, 0x02c59533, "mulh\ta0,a1,a2"},
    {0x8000014c, 0x02c5a533, "mulhsu\ta0,a1,a2"},
    {0x80000150, 0x02c5b533, "mulhu\ta0,a1,a2"},
    {0x80000154, 0x02c5c533, "div\ta0,a1,a2"},
    {0x80000158, 0x02c5d533, "divu\ta0,a1,a2"},
    {0x8000015c, 0x02c5e533, "rem\ta0,a1,a2"},
    {0x80000160, 0x02c5f533, "remu\ta0,a1,a2"},
    {0x80000164, 0x02c5853b, "mulw\ta0,a1,a2"},
    {0x80000168, 0x02c5c53b, "divw\ta0,a1,a2"},
    {0x8000016c, 0x02c5d53b, "divuw\ta0,a1,a2"},
    {0x80000170, 0x02c5e53b, "remw\ta0,a1,a2"},
    {0x80000174, 0x02c5f53b, "remuw\ta0,a1,a2"},
    {0x80000178, 0x1005a52f, "lr.w\ta0,(a1)"},
    {0x8000017c, 0x1405a52f, "lr.w.aq\ta0,(a1)"},
    {0x80000180, 0x1ac5a52f, "sc.w.rl\ta0,a2,(a1)"},
    {0x80000184, 0x0ec5a52f, "amoswap.w.aqrl\ta0,a2,(a1)"},
    {0x80000188, 0x0001202f, "amoadd.w\tzero,zero,(sp)"},
    {0x8000018c, 0x20c5a52f, "amoxor.w\ta0,a2,(a1)"},
    {0x80000190, 0x60c5a52f, "amoand.w\ta0,a2,(a1)"},
    {0x80000194, 0x40c5a52f, "amoor.w\ta0,a2,(a1)"},
    {0x80000198, 0x80c5a52f, "amomin.w\ta0,a2,(a1)"},
    {0x8000019c, 0xa0c5a52f, "amomax.w\ta0,a2,(a1)"},
    {0x800001a0, 0xc0c5a52f, "amominu.w\ta0,a2,(a1)"},
    {0x800001a4, 0xe0c5a52f, "amomaxu.w\ta0,a2,(a1)"},
    {0x800001a8, 0x1605b52f, "lr.d.aqrl\ta0,(a1)"},
    {0x800001ac, 0x18c5b52f, "sc.d\ta0,a2,(a1)"},
    {0x800001b0, 0x08c5b52f, "amoswap.d\ta0,a2,(a1)"},
    {0x800001b4, 0x04c5b52f, "amoadd.d.aq\ta0,a2,(a1)"},
    {0x800001b8, 0x20c5b52f, "amoxor.d\ta0,a2,(a1)"},
    {0x800001bc, 0x60c5b52f, "amoand.d\ta0,a2,(a1)"},
    {0x800001c0, 0x42c5b52f, "amoor.d.rl\ta0,a2,(a1)"},
    {0x800001c4, 0x80c5b52f, "amomin.d\ta0,a2,(a1)"},
    {0x800001c8, 0xa0c5b52f, "amomax.d\ta0,a2,(a1)"},
    {0x800001cc, 0xc0c5b52f, "amominu.d\ta0,a2,(a1)"},
    {0x800001d0, 0xe1eebfaf, "amomaxu.d\tt6,t5,(t4)"},
    {0x800001d4, 0xffc12507, "flw\tfa0,-4(sp)"},
    {0x800001d8, 0x7ff52fa7, "fsw\tft11,2047(a0)"},
    {0x800001dc, 0x68c5f543, "fmadd.s\tfa0,fa1,fa2,fa3"},
    {0x800001e0, 0x68c58543, "fmadd.s\tfa0,fa1,fa2,fa3,rne"},
    {0x800001e4, 0x1820c047, "fmsub.s\tft0,ft1,ft2,ft3,rmm"},
    {0x800001e8, 0x9924944b, "fnmsub.s\tfs0,fs1,fs2,fs3,rtz"},
    {0x800001ec, 0xf9eeae4f, "fnmadd.s\tft8,ft9,ft10,ft11,rdn"},
    {0x800001f0, 0x0020f053, "fadd.s\tft0,ft1,ft2"},
    {0x800001f4, 0x00209053, "fadd.s\tft0,ft1,ft2,rtz"},
    {0x800001f8, 0x08c5b553, "fsub.s\tfa0,fa1,fa2,rup"},
    {0x800001fc, 0x10c5f553, "fmul.s\tfa0,fa1,fa2"},
    {0x80000200, 0x18c58553, "fdiv.s\tfa0,fa1,fa2,rne"},
    {0x80000204, 0x5805f553, "fsqrt.s\tfa0,fa1"},
    {0x80000208, 0x20c58553, "fsgnj.s\tfa0,fa1,fa2"},
    {0x8000020c, 0x20c59553, "fsgnjn.s\tfa0,fa1,fa2"},
    {0x80000210, 0x20c5a553, "fsgnjx.s\tfa0,fa1,fa2"},
    {0x80000214, 0x28c58553, "fmin.s\tfa0,fa1,fa2"},
    {0x80000218, 0x28c59553, "fmax.s\tfa0,fa1,fa2"},
    {0x8000021c, 0xc0051553, "fcvt.w.s\ta0,fa0,rtz"},
    {0x80000220, 0xc0157553, "fcvt.wu.s\ta0,fa0"},
    {0x80000224, 0xc0252553, "fcvt.l.s\ta0,fa0,rdn"},
    {0x80000228, 0xc0354553, "fcvt.lu.s\ta0,fa0,rmm"},
    {0x8000022c, 0xe0050553, "fmv.x.w\ta0,fa0"},
    {0x80000230, 0xa0b52553, "feq.s\ta0,fa0,fa1"},
    {0x80000234, 0xa0b51553, "flt.s\ta0,fa0,fa1"},
    {0x80000238, 0xa0b50553, "fle.s\ta0,fa0,fa1"},
    {0x8000023c, 0xe0051553, "fclass.s\ta0,fa0"},
    {0x80000240, 0xd0057553, "fcvt.s.w\tfa0,a0"},
    {0x80000244, 0xd0151553, "fcvt.s.wu\tfa0,a0,rtz"},
    {0x80000248, 0xd0257553, "fcvt.s.l\tfa0,a0"},
    {0x8000024c, 0xd0353553, "fcvt.s.lu\tfa0,a0,rup"},
    {0x80000250, 0xf0050553, "fmv.w.x\tfa0,a0"},
    {0x80000254, 0x800dbd87, "fld\tfs11,-2048(s11)"},
    {0x80000258, 0x00813827, "fsd\tfs0,16(sp)"},
    {0x8000025c, 0x6ac5f543, "fmadd.d\tfa0,fa1,fa2,fa3"},
    {0x80000260, 0x6ac59547, "fmsub.d\tfa0,fa1,fa2,fa3,rtz"},
    {0x80000264, 0x6ac5f54b, "fnmsub.d\tfa0,fa1,fa2,fa3"},
    {0x80000268, 0x6ac5c54f, "fnmadd.d\tfa0,fa1,fa2,fa3,rmm"},
    {0x8000026c, 0x02c5f553, "fadd.d\tfa0,fa1,fa2"},
    {0x80000270, 0x0ac5f553, "fsub.d\tfa0,fa1,fa2"},
    {0x80000274, 0x12c5a553, "fmul.d\tfa0,fa1,fa2,rdn"},
    {0x80000278, 0x1ac5f553, "fdiv.d\tfa0,fa1,fa2"},
    {0x8000027c, 0x5a05b553, "fsqrt.d\tfa0,fa1,rup"},
    {0x80000280, 0x22c58553, "fsgnj.d\tfa0,fa1,fa2"},
    {0x80000284, 0x22c59553, "fsgnjn.d\tfa0,fa1,fa2"},
    {0x80000288, 0x22c5a553, "fsgnjx.d\tfa0,fa1,fa2"},
    {0x8000028c, 0x2ac58553, "fmin.d\tfa0,fa1,fa2"},
    {0x80000290, 0x2ac59553, "fmax.d\tfa0,fa1,fa2"},
    {0x80000294, 0x4015f553, "fcvt.s.d\tfa0,fa1"},
    {0x80000298, 0x40158553, "fcvt.s.d\tfa0,fa1,rne"},
    {0x8000029c, 0x42058553, "fcvt.d.s\tfa0,fa1"},
    {0x800002a0, 0xa2b52553, "feq.d\ta0,fa0,fa1"},
    {0x800002a4, 0xa2b51553, "flt.d\ta0,fa0,fa1"},
    {0x800002a8, 0xa2b50553, "fle.d\ta0,fa0,fa1"},
    {0x800002ac, 0xe2051553, "fclass.d\ta0,fa0"},
    {0x800002b0, 0xc2051553, "fcvt.w.d\ta0,fa0,rtz"},
    {0x800002b4, 0xc2157553, "fcvt.wu.d\ta0,fa0"},
    {0x800002b8, 0xc2257553, "fcvt.l.d\ta0,fa0"},
    {0x800002bc, 0xc2350553, "fcvt.lu.d\ta0,fa0,rne"},
    {0x800002c0, 0xe2050553, "fmv.x.d\ta0,fa0"},
    {0x800002c4, 0xd2050553, "fcvt.d.w\tfa0,a0"},
    {0x800002c8, 0xd2150553, "fcvt.d.wu\tfa0,a0"},
    {0x800002cc, 0xd2251553, "fcvt.d.l\tfa0,a0,rtz"},
    {0x800002d0, 0xd2357553, "fcvt.d.lu\tfa0,a0"},
    {0x800002d4, 0xf2050553, "fmv.d.x\tfa0,a0"},
    {0x800002d8, 0x1fe8, "c.addi4spn\ta0,sp,1020"},
    {0x800002da, 0x0040, "c.addi4spn\ts0,sp,4"},
    {0x800002dc, 0x2588, "c.fld\tfa0,8(a1)"},
    {0x800002de, 0x5fe8, "c.lw\ta0,124(a5)"},
    {0x800002e0, 0x7f64, "c.ld\ts1,248(a4)"},
    {0x800002e2, 0xa004, "c.fsd\tfs1,0(s0)"},
    {0x800002e4, 0xc15c, "c.sw\ta5,4(a0)"},
    {0x800002e6, 0xea14, "c.sd\ta3,16(a2)"},
    {0x800002e8, 0x0001, "c.addi\tzero,0"},
    {0x800002ea, 0x0505, "c.addi\ta0,1"},
    {0x800002ec, 0x1f81, "c.addi\tt6,-32"},
    {0x800002ee, 0x357d, "c.addiw\ta0,-1"},
    {0x800002f0, 0x457d, "c.li\ta0,31"},
    {0x800002f2, 0x5001, "c.li\tzero,-32"},
    {0x800002f4, 0x7101, "c.addi16sp\tsp,-512"},
    {0x800002f6, 0x617d, "c.addi16sp\tsp,496"},
    {0x800002f8, 0x7501, "c.lui\ta0,0xfffe0"},
    {0x800002fa, 0x6ffd, "c.lui\tt6,0x1f"},
    {0x800002fc, 0x93fd, "c.srli\ta5,0x3f"},
    {0x800002fe, 0x8005, "c.srli\ts0,0x1"},
    {0x80000300, 0x9501, "c.srai\ta0,0x20"},
    {0x80000302, 0x997d, "c.andi\ta0,-1"},
    {0x80000304, 0x8c05, "c.sub\ts0,s1"},
    {0x80000306, 0x8d2d, "c.xor\ta0,a1"},
    {0x80000308, 0x8e55, "c.or\ta2,a3"},
    {0x8000030a, 0x8f7d, "c.and\ta4,a5"},
    {0x8000030c, 0x9c1d, "c.subw\ts0,a5"},
    {0x8000030e, 0x9d29, "c.addw\ta0,a0"},
    {0x80000310, 0xaffd, "c.j\t0x80000b0e"},
    {0x80000312, 0xb001, "c.j\t0x7ffffb12"},
    {0x80000314, 0xd101, "c.beqz\ta0,0x80000214"},
    {0x80000316, 0xecfd, "c.bnez\ts1,0x80000414"},
    {0x80000318, 0x12fe, "c.slli\tt0,0x3f"},
    {0x8000031a, 0x0086, "c.slli\tra,0x1"},
    {0x8000031c, 0x357e, "c.fldsp\tfa0,504(sp)"},
    {0x8000031e, 0x50fe, "c.lwsp\tra,252(sp)"},
    {0x80000320, 0x6402, "c.ldsp\ts0,0(sp)"},
    {0x80000322, 0x8082, "c.jr\tra"},
    {0x80000324, 0x852e, "c.mv\ta0,a1"},
    {0x80000326, 0x9002, "c.ebreak"},
    {0x80000328, 0x9282, "c.jalr\tt0"},
    {0x8000032a, 0x952e, "c.add\ta0,a1"},
    {0x8000032c, 0xa422, "c.fsdsp\tfs0,8(sp)"},
    {0x8000032e, 0xc002, "c.swsp\tzero,0(sp)"},
    {0x80000330, 0xff86, "c.sdsp\tra,504(sp)"},
    {0x80000332, 0x0000, "c.unimp"},
    {0x80000334, 0x0002, "c.slli64\tzero"},
    {0x80000336, 0x8001, "c.srli64\ts0"},
    {0x80000338, 0x8401, "c.srai64\ts0"},
    {0x8000033a, 0x1002, "c.slli\tzero,0x20"},
    {0x8000033c, 0x8006, "c.mv\tzero,ra"},
    {0x8000033e, 0x6101, "c.addi16sp\tsp,0"},
    {0x80000340, 0x6001, ".2byte\t0x6001"},
    {0x80000342, 0x0004, ".2byte\t0x4"},
    {0x80000344, 0x8002, ".2byte\t0x8002"},
    {0x80000346, 0x4002, ".2byte\t0x4002"},
    {0x80000348, 0x00b56553, "fadd.s\tfa0,fa0,fa1,unknown"},
    {0x8000034c, 0x00b55553, "fadd.s\tfa0,fa0,fa1,unknown"},
    {0x80000350, 0x0100000f, "fence\tw,unknown"},
    {0x80000354, 0x0000000f, "fence\tunknown,unknown"},
    {0x80000358, 0x0ff1000f, ".4byte\t0xff1000f"},
    {0x8000035c, 0x8ff0000f, ".4byte\t0x8ff0000f"},
    {0x80000360, 0x0010100f, ".4byte\t0x10100f"},
    {0x80000364, 0x42158553, ".4byte\t0x42158553"},
    {0x80000368, 0x00007013, "andi\tzero,zero,0"},
    {0x8000036c, 0x00000067, "jalr\tzero,0(zero)"},
};

static bool check_one(uint64_t pc, uint32_t raw, const char *want)
{
    struct insn in;
    char buf[96];
    insn_decode(raw, &in);
    int n = insn_disasm(&in, pc, buf, sizeof buf);
    if (strcmp(buf, want) != 0 || n != (int)strlen(want)) {
        fprintf(stderr, "  0x%08x at 0x%" PRIx64 ": got \"%s\" (%d), want \"%s\"\n", raw, pc, buf,
                n, want);
        return false;
    }
    return true;
}

TEST(every_listed_word_prints_as_objdump_prints_it)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(check_one(cases[i].pc, cases[i].raw, cases[i].text));
}

TEST(every_insn_def_row_is_in_the_table)
{
    bool seen[ROW_COUNT] = {false};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct insn in;
        insn_decode(cases[i].raw, &in);
        seen[in.row] = true;
    }
    for (unsigned r = 0; r < ROW_ILLEGAL; r++) {
        if (!seen[r])
            fprintf(stderr, "  row %s has no case\n", insn_row_name(r));
        CHECK(seen[r]);
    }
}

TEST(targets_are_resolved_against_pc_and_wrap_at_64_bits)
{
    CHECK(check_one(0x0, 0xfe000ee3, "beq\tzero,zero,0xfffffffffffffffc"));
    CHECK(check_one(0xfffffffffffffff0, 0x0200006f, "jal\tzero,0x10"));
    CHECK(check_one(0x1000, 0xb001, "c.j\t0x800"));
}

/* objdump lists longer-than-32-bit patterns by its own length rules (0xffffffff as two
 * .2byte 0xffff); visor only ever holds 32 bits, so it shows the word. */
TEST(words_longer_than_32_bits_print_as_a_4byte_word)
{
    CHECK(check_one(0x80000000, 0xffffffff, ".4byte\t0xffffffff"));
    CHECK(check_one(0x80000000, 0x0000707f, ".4byte\t0x707f"));
    CHECK(check_one(0x80000000, 0x0000001f, ".4byte\t0x1f"));
}

/* objdump 2.40 refuses the exact widening conversions unless rm is 0, though the hart runs
 * them with any rm; visor prints such words as instructions, with their rm. */
TEST(widening_conversions_with_nonzero_rm_show_the_rm)
{
    CHECK(check_one(0, 0x4205f553, "fcvt.d.s\tfa0,fa1,dyn"));
    CHECK(check_one(0, 0xd2059553, "fcvt.d.w\tfa0,a1,rtz"));
    CHECK(check_one(0, 0xd215e553, "fcvt.d.wu\tfa0,a1,unknown"));
}

TEST(output_is_truncated_to_size_and_always_terminated)
{
    struct insn in;
    insn_decode(0x00b50533, &in); /* add a0,a0,a1 */
    char buf[8];
    memset(buf, 'x', sizeof buf);
    int n = insn_disasm(&in, 0, buf, 5);
    CHECK_EQ(n, 4);
    CHECK(strcmp(buf, "add\t") == 0);
    CHECK_EQ(buf[5], 'x');
    buf[0] = 'x';
    CHECK_EQ(insn_disasm(&in, 0, buf, 0), 0);
    CHECK_EQ(buf[0], 'x');
    CHECK_EQ(insn_disasm(&in, 0, buf, 1), 0);
    CHECK_EQ(buf[0], '\0');
}

TEST_MAIN("disasm")
