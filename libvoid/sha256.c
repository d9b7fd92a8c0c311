/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 (FIPS 180-4), for the keys of the seccomp filter cache and the
 * check of a stored filter.  None of the libraries voidoci links has one,
 * and a digest of a few kilobytes is cheaper computed here than through a
 * socket to the kernel's.  tests/unit/test_sha256.c holds the FIPS vectors
 * and runs them through each block function this CPU has.
 *
 * Two block functions: the portable one, and on x86 one with the SHA
 * extensions (SHA-NI: sha256rnds2 does two rounds, sha256msg1/msg2 the
 * message schedule), about ten times fewer instructions.  vd_sha256_init
 * picks the SHA-NI one when the CPU has SHA, SSSE3 and SSE4.1.
 */
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI_CODE 1
#endif

#include "internal.h"

static const uint32_t k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void compress_one(uint32_t h[8], const uint8_t block[64])
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
               (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void compress_portable(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    for (; blocks > 0; blocks--, p += 64)
        compress_one(h, p);
}

#ifdef HAVE_SHANI_CODE
/* The state lives in two registers as the instructions want it: lanes
 * (3..0) A B E F and C D G H.  w[] holds the last 16 message words, four
 * to a register (lane j = word 4i+j); each 4 rounds add 4 words of k. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
compress_shani(uint32_t h[8], const uint8_t *p, size_t blocks)
{
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m128i abcd = _mm_loadu_si128((const __m128i *)&h[0]); /* lanes d c b a */
    __m128i efgh = _mm_loadu_si128((const __m128i *)&h[4]); /* lanes h g f e */
    __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
    __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
    __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);
    __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);
    for (; blocks > 0; blocks--, p += 64) {
        __m128i abef0 = abef, cdgh0 = cdgh, w[4];
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
            if (i < 4)
                w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
            else
                w[i % 4] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]),
                                  _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4)),
                    w[(i + 3) % 4]);
            __m128i wk = _mm_add_epi32(w[i % 4], _mm_loadu_si128((const __m128i *)&k[4 * i]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    __m128i abef_r = _mm_shuffle_epi32(abef, 0x1B); /* lanes f e b a */
    __m128i cdgh_r = _mm_shuffle_epi32(cdgh, 0xB1); /* lanes d c h g */
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(abef_r, cdgh_r, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh_r, abef_r, 8));
}
#endif

#ifdef HAVE_SHANI_CODE
/* From cpuid itself: clang 14's __builtin_cpu_supports knows no "sha".
 * Leaf 1: SSSE3 (ecx bit 9), SSE4.1 (ecx bit 19); leaf 7: SHA (ebx bit 29). */
static bool cpu_has_shani(void)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
        return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    return (b & (1u << 29)) != 0;
}
#endif

bool vd_sha256_impl_supported(enum vd_sha256_impl impl)
{
    switch (impl) {
    case VD_SHA256_PORTABLE:
        return true;
    case VD_SHA256_SHANI:
#ifdef HAVE_SHANI_CODE
        return cpu_has_shani();
#else
        return false;
#endif
    }
    return false;
}

static void compress(struct vd_sha256 *s, const uint8_t *p, size_t blocks)
{
#ifdef HAVE_SHANI_CODE
    if (s->impl == VD_SHA256_SHANI) {
        compress_shani(s->h, p, blocks);
        return;
    }
#endif
    compress_portable(s->h, p, blocks);
}

void vd_sha256_init(struct vd_sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof(iv));
    s->total = 0;
    s->used = 0;
    s->impl = vd_sha256_impl_supported(VD_SHA256_SHANI) ? VD_SHA256_SHANI : VD_SHA256_PORTABLE;
}

void vd_sha256_update(struct vd_sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->total += n;
    if (s->used) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->buf + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used < 64)
            return;
        compress(s, s->buf, 1);
        s->used = 0;
    }
    if (n >= 64) {
        compress(s, p, n / 64);
        p += n / 64 * 64;
        n %= 64;
    }
    memcpy(s->buf, p, n);
    s->used = n;
}

void vd_sha256_final(struct vd_sha256 *s, uint8_t out[VD_SHA256_LEN])
{
    uint64_t bits = s->total * 8;
    uint8_t pad[72] = {0x80};
    size_t n = (s->used < 56 ? 56 : 120) - s->used;
    for (int i = 0; i < 8; i++)
        pad[n + i] = (uint8_t)(bits >> (56 - 8 * i));
    vd_sha256_update(s, pad, n + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void vd_sha256(const void *data, size_t n, uint8_t out[VD_SHA256_LEN])
{
    struct vd_sha256 s;
    vd_sha256_init(&s);
    vd_sha256_update(&s, data, n);
    vd_sha256_final(&s, out);
}
