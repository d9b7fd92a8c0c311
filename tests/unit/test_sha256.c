/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvoid's SHA-256 against the FIPS 180-2 / NIST vectors, whole and fed in
 * pieces of every size (the block-boundary cases of update and final), and
 * against digests of odd lengths around the block boundaries (from Python's
 * hashlib); each through every block function this CPU has (portable, and
 * SHA-NI where the CPU has the SHA extensions), the two also compared with
 * each other on every length up to 300 bytes. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "void.h"

/* The block function every check below runs with. */
static enum vd_sha256_impl impl;

static void digest(const void *msg, size_t n, size_t step, uint8_t d[VD_SHA256_LEN])
{
    struct vd_sha256 s;
    vd_sha256_init(&s);
    s.impl = (int)impl;
    for (size_t i = 0; i < n; i += step)
        vd_sha256_update(&s, (const uint8_t *)msg + i, n - i < step ? n - i : step);
    vd_sha256_final(&s, d);
}

static bool digest_is(const uint8_t d[VD_SHA256_LEN], const char *hex)
{
    char got[2 * VD_SHA256_LEN + 1];
    for (int i = 0; i < VD_SHA256_LEN; i++)
        snprintf(got + 2 * i, 3, "%02x", d[i]);
    if (strcmp(got, hex) != 0)
        fprintf(stderr, "  got  %s\n  want %s\n", got, hex);
    return strcmp(got, hex) == 0;
}

static bool whole_is(const char *msg, const char *hex)
{
    uint8_t d[VD_SHA256_LEN];
    digest(msg, strlen(msg), strlen(msg) + 1, d);
    return digest_is(d, hex);
}

/* `msg` fed `step` bytes at a time. */
static bool pieces_are(const char *msg, size_t step, const char *hex)
{
    uint8_t d[VD_SHA256_LEN];
    digest(msg, strlen(msg), step, d);
    return digest_is(d, hex);
}

#define ABC2 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define ABC2_HEX "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define ABC4                                                                                     \
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn" \
    "opqrsmnopqrstnopqrstu"
#define ABC4_HEX "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"

/* Byte i of the odd-length messages. */
static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + 3);
}

static bool pattern_is(size_t n, const char *hex)
{
    uint8_t msg[1000], d[VD_SHA256_LEN];
    for (size_t i = 0; i < n; i++)
        msg[i] = pattern(i);
    digest(msg, n, n + 1, d);
    return digest_is(d, hex);
}

static const struct {
    size_t len;
    const char *hex;
} patterns[] = {
    {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
    {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
    {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
    {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
    {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
    {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
    {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
    {127, "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07"},
    {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
    {129, "307f8fc2c1622b92762e818d39a185d4d667ad49a4b07ceae1f4afa008a93ec4"},
    {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
};

static void check_vectors(void)
{
    CHECK(whole_is("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(whole_is("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(whole_is(ABC2, ABC2_HEX));
    CHECK(whole_is(ABC4, ABC4_HEX));
    for (size_t step = 1; step <= 130; step++) {
        CHECK(pieces_are(ABC2, step, ABC2_HEX));
        CHECK(pieces_are(ABC4, step, ABC4_HEX));
    }
    /* One million 'a': many blocks, fed in odd pieces. */
    char *a = malloc(1000000 + 1);
    CHECK(a != NULL);
    if (a) {
        memset(a, 'a', 1000000);
        a[1000000] = '\0';
        const char *hex = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
        CHECK(whole_is(a, hex));
        CHECK(pieces_are(a, 997, hex));
        free(a);
    }
    for (size_t i = 0; i < VD_ARRAY_SIZE(patterns); i++)
        CHECK(pattern_is(patterns[i].len, patterns[i].hex));
}

/* The portable and SHA-NI block functions agree on every length to 300. */
static void check_same(void)
{
    uint8_t msg[300], a[VD_SHA256_LEN], b[VD_SHA256_LEN];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = pattern(i * 13);
    for (size_t n = 0; n <= sizeof(msg); n++) {
        impl = VD_SHA256_PORTABLE;
        digest(msg, n, n + 1, a);
        impl = VD_SHA256_SHANI;
        digest(msg, n, n + 1, b);
        CHECK(memcmp(a, b, sizeof(a)) == 0);
    }
}

int main(void)
{
    /* vd_sha256 uses what vd_sha256_init picks. */
    uint8_t d[VD_SHA256_LEN];
    vd_sha256("abc", 3, d);
    CHECK(digest_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    impl = VD_SHA256_PORTABLE;
    check_vectors();
    if (vd_sha256_impl_supported(VD_SHA256_SHANI)) {
        impl = VD_SHA256_SHANI;
        check_vectors();
        check_same();
    } else {
        printf("test_sha256: SHA-NI block function not checked: this CPU lacks the SHA "
               "extensions (sha_ni in /proc/cpuinfo)\n");
    }
    return check_summary("test_sha256");
}
