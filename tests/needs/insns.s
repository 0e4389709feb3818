# Instructions of many extensions, one or more each, for tests/needs/check:
# assembled by binutils at test time and checked by tests/needs/oracle
# against objdump (the mnemonics) and objdump-ext.map (what they need).
.intel_syntax noprefix
vpaddb zmm0, zmm1, zmm2
vpaddd zmm0, zmm1, zmm2
vpaddd ymm0{k1}, ymm1, ymm2
vpmullq zmm0, zmm1, zmm2
vpconflictd zmm0, zmm1
vpdpbusd zmm0, zmm1, zmm2
{vex} vpdpbusd ymm0, ymm1, ymm2
vpermb zmm0, zmm1, zmm2
vpopcntb zmm0, zmm1
vpopcntd zmm0, zmm1
vpmadd52luq zmm0, zmm1, zmm2
gf2p8affineqb xmm0, xmm1, 0
vaesenc ymm0, ymm1, ymm2
vpclmulqdq ymm0, ymm1, ymm2, 0
popcnt rax, rbx
lzcnt rax, rbx
tzcnt rax, rbx
movbe rax, [rbx]
adcx rax, rbx
shlx rax, rbx, rcx
pdep rax, rbx, rcx
crc32 eax, bl
pcmpistri xmm0, xmm1, 0
pshufb xmm0, xmm1
pmulld xmm0, xmm1
addsubpd xmm0, xmm1
paddq xmm0, xmm1
addps xmm0, xmm1
vaddps ymm0, ymm1, ymm2
vpaddd ymm0, ymm1, ymm2
vpaddd xmm0, xmm1, xmm2
vfmadd231ps ymm0, ymm1, ymm2
vcvtph2ps ymm0, xmm1
aesenc xmm0, xmm1
pclmulqdq xmm0, xmm1, 0
sha256rnds2 xmm0, xmm1
rdrand rax
rdseed rax
cmpxchg16b [rax]
lahf
xsave [rax]
xsaveopt [rax]
xsavec [rax]
rdtscp
rdpid rax
vcvtne2ps2bf16 zmm0, zmm1, zmm2
vaddph zmm0, zmm1, zmm2
kmovw k1, eax
kmovq k1, rax
vmovdqu8 zmm0, [rax]
vpternlogd zmm0, zmm1, zmm2, 0
vpcmpeqb k1, zmm0, zmm1
vzeroupper
pextrd eax, xmm0, 1
movdqa xmm0, [rax]
cvtsi2sd xmm0, rax
movq xmm0, rax
endbr64
vpaddw ymm1, ymm2, ymm3
vpaddw xmm17, xmm2, xmm3
vpshufb ymm1, ymm2, ymm3
vpshufd ymm1, ymm2, 1
vpermq ymm1, ymm2, 1
vpermd ymm1, ymm2, ymm3
vpgatherdd ymm1, [rax+ymm2*4], ymm3
vbroadcastss ymm1, xmm2
vbroadcastss ymm1, [rax]
vinserti128 ymm1, ymm2, xmm3, 1
vextracti128 xmm1, ymm2, 1
vpblendd ymm1, ymm2, ymm3, 5
vpsllvd ymm1, ymm2, ymm3
vpmovmskb eax, ymm1
vpmovmskb eax, xmm1
vmovdqu ymm1, [rax]
vmovdqa32 zmm1{k1}{z}, [rax]
vmovdqu16 ymm1{k2}, ymm2
vpcmpub k1, zmm1, zmm2, 1
vpcmpuq k1, ymm1, ymm2, 1
vpmovqd ymm1, zmm2
vpmovwb ymm1, zmm2
vpmovm2b zmm1, k1
vpmovd2m k1, zmm1
vpbroadcastmb2q zmm1, k1
vextracti32x8 ymm1, zmm2, 1
vextracti64x4 ymm1, zmm2, 1
vinserti64x2 zmm1, zmm2, xmm3, 1
vbroadcasti32x2 zmm1, xmm2
vcvtqq2pd zmm1, zmm2
vcvttpd2uqq zmm1, zmm2
vcvtusi2sd xmm1, xmm2, rax
vaddsd xmm17, xmm2, xmm3
vaddpd zmm1, zmm2, zmm3, {rn-sae}
vaddps xmm1{k1}, xmm2, xmm3
vandps zmm1, zmm2, zmm3
vrangeps zmm1, zmm2, zmm3, 1
vfpclasspd k1, zmm1, 1
vgetexpps zmm1, zmm2
vrcp14ps zmm1, zmm2
vscalefpd zmm1, zmm2, zmm3
vpermi2w zmm1, zmm2, zmm3
vpermt2d zmm1, zmm2, zmm3
vpsravw zmm1, zmm2, zmm3
vpshldvd zmm1, zmm2, zmm3
vpshrdw zmm1, zmm2, zmm3, 2
vpcompressb zmm1{k1}, zmm2
vpexpandd zmm1{k1}, zmm2
vpmultishiftqb zmm1, zmm2, zmm3
vpshufbitqmb k1, zmm2, zmm3
vpopcntq zmm1, zmm2
vpmadd52huq zmm1, zmm2, zmm3
vplzcntq zmm1, zmm2
vpabsq zmm1, zmm2
vpmaxuq zmm1, zmm2, zmm3
vpsraq zmm1, zmm2, 3
vprold zmm1, zmm2, 3
vpternlogq ymm1, ymm2, ymm3, 1
valignq zmm1, zmm2, zmm3, 1
vshufi64x2 zmm1, zmm2, zmm3, 1
vpgatherdd zmm1{k1}, [rax+zmm2*4]
vpscatterdd [rax+zmm2*4]{k1}, zmm1
vgf2p8affineqb zmm1, zmm2, zmm3, 1
vgf2p8mulb ymm1, ymm2, ymm3
vaesenc zmm1, zmm2, zmm3
vpclmulqdq zmm1, zmm2, zmm3, 1
vaesimc xmm1, xmm2
vaeskeygenassist xmm1, xmm2, 1
vpcmpistri xmm1, xmm2, 1
vpcmpgtq ymm1, ymm2, ymm3
vpcmpgtq xmm1, xmm2, xmm3
vdpbf16ps zmm1, zmm2, zmm3
vcvtps2ph xmm1, ymm2, 1
vcvtps2ph ymm1, zmm2, 1
vfmadd132pd ymm1, ymm2, ymm3
vfnmsub231sd xmm1, xmm2, xmm3
vfmaddsub213ps zmm1, zmm2, zmm3
vroundps ymm1, ymm2, 1
vrndscaleps zmm1, zmm2, 1
vdpps ymm1, ymm2, ymm3, 1
vmpsadbw ymm1, ymm2, ymm3, 1
vptest ymm1, ymm2
vtestps ymm1, ymm2
vpermilps ymm1, ymm2, 1
vperm2f128 ymm1, ymm2, ymm3, 1
vmaskmovps ymm1, ymm2, [rax]
vpmaskmovd ymm1, ymm2, [rax]
vzeroall
vmovntdqa ymm1, [rax]
vcvtdq2pd ymm1, xmm2
vcvttps2dq ymm1, ymm2
vhaddpd ymm1, ymm2, ymm3
vlddqu ymm1, [rax]
vmovshdup ymm1, ymm2
vpextrq rax, xmm1, 1
vpinsrb xmm1, xmm2, eax, 1
vpextrw eax, xmm17, 1
vmovq xmm17, rax
vmovd eax, xmm17
vextractps eax, xmm17, 1
kandw k1, k2, k3
kandb k1, k2, k3
kandq k1, k2, k3
kxord k1, k2, k3
knotw k1, k2
kortestb k1, k2
ktestw k1, k2
kshiftlw k1, k2, 3
kshiftrq k1, k2, 3
kaddd k1, k2, k3
kunpckbw k1, k2, k3
kunpckdq k1, k2, k3
kmovb k1, [rax]
kmovd eax, k1
andn eax, ebx, ecx
blsr rax, rbx
blsi rax, rbx
blsmsk rax, rbx
bextr rax, rbx, rcx
bzhi rax, rbx, rcx
pext rax, rbx, rcx
mulx rax, rbx, rcx
sarx rax, rbx, rcx
shrx rax, rbx, rcx
rorx rax, rbx, 3
adox rax, rbx
movbe [rax], ebx
crc32 rax, qword ptr [rbx]
pcmpgtq xmm1, xmm2
pcmpestrm xmm1, xmm2, 1
pminud xmm1, xmm2
pmovzxbw xmm1, xmm2
pblendvb xmm1, xmm2
blendvps xmm1, xmm2
roundsd xmm1, xmm2, 1
pextrb eax, xmm1, 1
pinsrq xmm1, rax, 1
dpps xmm1, xmm2, 1
mpsadbw xmm1, xmm2, 1
movntdqa xmm1, [rax]
phaddw xmm1, xmm2
psignd xmm1, xmm2
pabsb xmm1, xmm2
palignr xmm1, xmm2, 3
palignr mm1, mm2, 3
pshufb mm1, mm2
haddps xmm1, xmm2
hsubpd xmm1, xmm2
movsldup xmm1, xmm2
movddup xmm1, xmm2
lddqu xmm1, [rax]
aesdeclast xmm1, xmm2
aesimc xmm1, xmm2
aeskeygenassist xmm1, xmm2, 1
sha1rnds4 xmm1, xmm2, 1
sha1nexte xmm1, xmm2
sha256msg2 xmm1, xmm2
gf2p8mulb xmm1, xmm2
sahf
xrstor [rax]
xgetbv
clwb [rax]
clflushopt [rax]
clflush [rax]
serialize
xbegin 1f
1: xend
xtest
lfence
sfence
mfence
movnti [rax], eax
pause
cpuid
rdtsc
bsf eax, ebx
bsr eax, ebx
cmpxchg8b [rax]
prefetchnta [rax]
prefetchw [rax]
ldmxcsr [rax]
vldmxcsr [rax]
fxsave [rax]
cmovne eax, ebx
movzx eax, bl
imul eax, ebx, 100
mov rax, 0x1122334455667788
mov ax, 0x1234
test byte ptr [rax], 1
test word ptr [rax], 1
enter 16, 0
ret 8
jmp 2f
2: call 3f
3: nop word ptr [rax+rax*1+0]
movabs eax, [0x1122334455667788]
push 0x12345678
imul rax, [rip+0x100], 0x1000
lea rax, [rip+0x1234]
