/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvoid's SHA-256 against the FIPS 180-2 / NIST vectors, whole and fed in
 * pieces of every size (the block-boundary cases of update and final). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "void.h"
#include "check.h"

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
    vd_sha256(msg, strlen(msg), d);
    return digest_is(d, hex);
}

/* `msg` fed `step` bytes at a time. */
static bool pieces_are(const char *msg, size_t step, const char *hex)
{
    struct vd_sha256 s;
    uint8_t d[VD_SHA256_LEN];
    size_t n = strlen(msg);
    vd_sha256_init(&s);
    for (size_t i = 0; i < n; i += step)
        vd_sha256_update(&s, msg + i, n - i < step ? n - i : step);
    vd_sha256_final(&s, d);
    return digest_is(d, hex);
}

#define ABC2 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define ABC2_HEX "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define ABC4                                                                                     \
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmn" \
    "opqrsmnopqrstnopqrstu"
#define ABC4_HEX "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"

int main(void)
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
    return check_summary("test_sha256");
}
