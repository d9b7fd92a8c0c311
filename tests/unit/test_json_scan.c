/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oci/json_scan.c: the bytes of the member's value, exactly, or not found.
 * test_spec's test_json_without sees only the tree, the same whether the
 * scan cut the member or the builder left it out after a whole parse (the
 * fallback); here a scan that misses or cuts the wrong bytes fails.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "json_scan.h"

static const char *const syscalls[] = {"linux", "seccomp", "syscalls", NULL};

/* json_scan_member of DOC (' for ") must find WANT (' for "), or nothing
 * when WANT is NULL. */
static void span_is(int line, const char *doc, const char *const *skip, const char *want)
{
    char *text = dequote(doc), *w = want ? dequote(want) : NULL;
    unsigned n = 0;
    while (skip[n])
        n++;
    size_t cut[2] = {0, 0}, len = strlen(text);
    bool found = json_scan_member(text, len, skip, n, cut);
    bool ok = w ? found && cut[1] - cut[0] == strlen(w) && memcmp(text + cut[0], w, strlen(w)) == 0
                : !found;
    if (!ok)
        fprintf(stderr, "%s:%d: want %s, got %s%.*s\n", CHECK_FILE, line, w ? w : "not found",
                found ? "" : "not found", found ? (int)(cut[1] - cut[0]) : 0,
                found ? text + cut[0] : "");
    check_at(line, ok, "the member's bytes");
    free(text);
    free(w);
}

int main(void)
{
    /* Only the member on the path, not the same key elsewhere. */
    span_is(__LINE__,
            "{'syscalls': 1, 'linux': {'syscalls': 2, 'seccomp': {'a': 1,"
            " 'syscalls': [[{'x': [1, {}]}], 's', null], 'b': {'syscalls': 3}}}}",
            syscalls, "[[{'x': [1, {}]}], 's', null]");
    span_is(__LINE__, "{'z': {'linux': {'seccomp': {'syscalls': 4}}}}", syscalls, NULL);
    span_is(__LINE__, "{'linux': [{'seccomp': {'syscalls': 5}}]}", syscalls, NULL);
    span_is(__LINE__, "[{'linux': {'seccomp': {'syscalls': 6}}}]", syscalls, NULL);
    span_is(__LINE__, "{'linux': {'seccomp': {}}}", syscalls, NULL);

    /* Scalars: up to the comma, brace or space that ends them. */
    span_is(__LINE__, "{'linux': {'seccomp': {'syscalls': null, 'c': true}}}", syscalls, "null");
    span_is(__LINE__, "{'linux': {'seccomp': {'syscalls':\n\t-12.5e3 }}}", syscalls, "-12.5e3");
    span_is(__LINE__, "{'linux': {'seccomp': {'syscalls': 'a\\\\\\\\'}}}", syscalls, "'a\\\\\\\\'");

    /* Brackets and quotes in strings, before the member and in it. */
    span_is(__LINE__,
            "{'note': '\\'syscalls\\': [', 'linux': {'seccomp': {'syscalls':"
            " [']', '\\'}', {'a': '[{'}], 'c': '}'}}, 'd': 2}",
            syscalls, "[']', '\\'}', {'a': '[{'}]");

    /* A key written with an escape is not seen (the builder leaves it out). */
    span_is(__LINE__, "{'linux': {'seccomp': {'sys\\u0063alls': [1], 'c': 1}}}", syscalls, NULL);

    /* A text that ends inside the member, or right after it: not found. */
    span_is(__LINE__, "{'linux': {'seccomp': {'syscalls': [1, 2", syscalls, NULL);
    span_is(__LINE__, "{'linux': {'seccomp': {'syscalls': 'ab", syscalls, NULL);
    span_is(__LINE__, "{'linux': {'seccomp': {'syscalls': [1]", syscalls, NULL);

    /* A path of one key. */
    static const char *const top[] = {"a", NULL};
    span_is(__LINE__, "{'b': {'a': 1}, 'a': {'x': [2]}, 'c': 3}", top, "{'x': [2]}");

    return check_summary("json_scan");
}
