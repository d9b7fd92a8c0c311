/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A light scan over JSON text that finds where a member's value lies
 * without reading it: what lets oci_json_parse_without (json_read.c) feed
 * yajl "null" in place of a config copy's linux.seccomp.syscalls, which
 * the tree builder would only throw away.  It steps over strings and
 * nesting and checks nothing else; its answer is a shortcut that the
 * caller verifies by parsing what is left.  Plain bytes, no yajl: it would
 * stay as it is if the backend changed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "json_scan.h"

static size_t skip_space(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* The index of the quote that closes the string opening at t[i], or len:
 * the next quote not escaped (after an even number of backslashes). */
static size_t string_end(const char *t, size_t len, size_t i)
{
    for (;;) {
        const char *q = memchr(t + i + 1, '"', len - i - 1);
        if (q == NULL)
            return len;
        size_t close = (size_t)(q - t), k = close;
        while (k > i + 1 && t[k - 1] == '\\')
            k--;
        if ((close - k) % 2 == 0)
            return close;
        i = close;
    }
}

/* The bytes the scans below stop at; all others they step over. */
static const bool structural[256] = {
    ['"'] = true, ['{'] = true, ['['] = true, ['}'] = true, [']'] = true, [','] = true,
};

/* The next structural byte at or after t[i], or len. */
static size_t next_structural(const char *t, size_t len, size_t i)
{
    while (i < len && !structural[(unsigned char)t[i]])
        i++;
    return i;
}

/* The end of the value starting at t[i] (after its last byte), or len when
 * the text ends first. */
static size_t value_end(const char *t, size_t len, size_t i)
{
    if (i < len && t[i] == '"')
        return string_end(t, len, i) < len ? string_end(t, len, i) + 1 : len;
    if (i < len && (t[i] == '{' || t[i] == '[')) {
        unsigned depth = 0;
        for (; (i = next_structural(t, len, i)) < len; i++) {
            if (t[i] == '"')
                i = string_end(t, len, i);
            else if (t[i] == '{' || t[i] == '[')
                depth++;
            else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
                return i + 1;
        }
        return len;
    }
    while (i < len && !strchr(",}] \t\n\r", t[i]))
        i++;
    return i;
}

bool json_scan_member(const char *t, size_t len, const char *const *skip, unsigned n, size_t cut[2])
{
    unsigned depth = 0, on_path = 0;
    bool next_on_path = false;
    for (size_t i = 0; (i = next_structural(t, len, i)) < len; i++) {
        char c = t[i];
        if (c == '"') {
            size_t close = string_end(t, len, i), colon = skip_space(t, len, close + 1);
            bool key = close < len && colon < len && t[colon] == ':';
            if (key && depth >= 1 && depth <= n && on_path == depth &&
                close - i - 1 == strlen(skip[depth - 1]) &&
                memcmp(t + i + 1, skip[depth - 1], close - i - 1) == 0) {
                if (depth == n) {
                    cut[0] = skip_space(t, len, colon + 1);
                    cut[1] = value_end(t, len, cut[0]);
                    return cut[0] < cut[1] && cut[1] < len;
                }
                next_on_path = true;
            }
            i = key ? colon : close;
        } else if (c == '{' || c == '[') {
            depth++;
            if (c == '{' && (depth == 1 || (next_on_path && on_path == depth - 1)))
                on_path = depth;
            next_on_path = false;
        } else if (c == '}' || c == ']') {
            if (on_path == depth && on_path > 0)
                on_path--;
            if (depth == 0)
                return false;
            depth--;
        } else if (c == ',') {
            next_on_path = false;
        }
    }
    return false;
}
