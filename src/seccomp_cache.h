/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiled seccomp filters kept on disk: one per container, in its state
 * directory, loaded by exec; and one per distinct profile, shared by the
 * containers of a --root (seccomp_cache.c). */
#ifndef VOIDOCI_SECCOMP_CACHE_H
#define VOIDOCI_SECCOMP_CACHE_H

#include <stdint.h>

#include "spec.h"
#include "void.h"

#define CONTAINER_SECCOMP_FILE "seccomp.bpf" /* in <root>/<id>/ */

/* What a compiled program depends on: this voidoci and libseccomp, the
 * native architecture, and the profile (oci_seccomp_digest). */
void seccomp_key(const struct oci_seccomp *sp, uint8_t key[VD_SHA256_LEN]);

/* The program of `sp` (whose key is `key`): from <root>/.seccomp-cache
 * when a valid entry is there, else compiled and put there; *insns_sha256
 * the sha256 of its instructions (checked, or computed once), for
 * seccomp_filter_store.  A cache that cannot be used is passed by, never
 * an error: only a bad profile is. */
struct vd_seccomp_prog *seccomp_cache_get(const char *root, const struct oci_seccomp *sp,
                                          const uint8_t key[VD_SHA256_LEN],
                                          uint8_t insns_sha256[VD_SHA256_LEN], vd_error **err);

/* The container's copy in its state directory `dir`, written atomically;
 * `insns_sha256` as seccomp_cache_get gave it. */
int seccomp_filter_store(const char *dir, const struct vd_seccomp_prog *p,
                         const uint8_t key[VD_SHA256_LEN],
                         const uint8_t insns_sha256[VD_SHA256_LEN], vd_error **err);
/* Read it back: 0 with *out set, 1 when there is none, -1 (with the reason)
 * when it is there and not exactly a filter of `key` written by us. */
int seccomp_filter_load(const char *dir, const uint8_t key[VD_SHA256_LEN],
                        struct vd_seccomp_prog **out, vd_error **err);

#endif
