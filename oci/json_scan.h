/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For json_read.c only: the light scan of json_scan.c, which finds a
 * member's value in JSON text without parsing it.
 */
#ifndef OCI_JSON_SCAN_H
#define OCI_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Where the value of the member at `skip` (n keys from the root object
 * down) lies in t[0..len), found by a light scan: strings, nesting, keys as
 * written (a key written with escapes is not found; the tree builder still
 * leaves it out).  True with the value's bytes at t[cut[0]..cut[1]) when
 * found, cut[1] < len.  Only a shortcut: what yajl is then fed must parse,
 * or the whole text is parsed instead. */
bool json_scan_member(const char *t, size_t len, const char *const *skip, unsigned n,
                      size_t cut[2]);

#endif
