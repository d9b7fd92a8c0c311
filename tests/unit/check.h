/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit tests' one harness: the pass/fail counters, CHECK, exact string
 * compares, and config.json documents written with ' for " (so that they
 * stay readable in C), parsed and translated as create would.
 *
 * Each test file includes it once; every helper is static inline, so a test
 * that does not touch oci/ (test_sha256, test_resctrl, ...) links nothing of
 * it.  A failure prints "FILE:LINE: what" and counts; check_summary() prints
 * the totals and gives main's exit status.
 */
#ifndef VOIDOCI_TESTS_CHECK_H
#define VOIDOCI_TESTS_CHECK_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "translate.h"

#ifdef __FILE_NAME__
#define CHECK_FILE __FILE_NAME__
#else
#define CHECK_FILE __FILE__
#endif

static int passed, failed;

static inline void check_at_file(const char *file, int line, bool ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, what);
    }
}

/* check_at(LINE, OK, WHAT): for helpers that take their caller's line. */
#define check_at(line, ok, what) check_at_file(CHECK_FILE, (line), (ok), (what))
#define CHECK(cond) check_at(__LINE__, (cond), #cond)
/* CHECK_MSG(COND, WHAT): a check whose failure is better said in words. */
#define CHECK_MSG(cond, what) check_at(__LINE__, (cond), (what))

/* A failure that a helper has already described on stderr. */
static inline void check_fail(void)
{
    failed++;
}

static inline bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static inline bool error_is(const vd_error *err, const char *msg)
{
    return err && streq(err->msg, msg);
}

/* main's last line: the totals, and 1 if anything failed. */
static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed ? 1 : 0;
}

/*
 * A stand-in root for code that reads the host (cgroup and resctrl mounts):
 * a temporary directory "/tmp/NAME.XXXXXX" made by fake_root_make(), files
 * in it named by path_of() and written by put(), and fake_root_remove(),
 * which counts a failure if the test left anything in it.
 */
static char fake_root[64];

/* 0, or -1 with the cause on stderr. */
static inline int fake_root_make(const char *name)
{
    snprintf(fake_root, sizeof(fake_root), "/tmp/%s.XXXXXX", name);
    if (mkdtemp(fake_root) == NULL) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* fake_root/REL, in one of four static buffers (so a call may pass two). */
static inline char *path_of(const char *rel)
{
    static char buf[4][512];
    static int i;
    char *p = buf[i++ % 4];
    snprintf(p, sizeof(buf[0]), "%s/%s", fake_root, rel);
    return p;
}

/* Write TEXT to fake_root/REL; exits on failure (the test cannot go on). */
static inline void put(const char *rel, const char *text)
{
    FILE *f = fopen(path_of(rel), "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(rel);
        exit(1);
    }
}

/* rmdir the (by now empty) fake root; a failure if it was not empty. */
static inline void fake_root_remove(void)
{
    if (rmdir(fake_root) < 0) {
        fprintf(stderr, "%s left behind: %s\n", fake_root, strerror(errno));
        failed++;
    }
}

/* A copy of DOC with every ' turned into " (malloc'd; aborts on ENOMEM). */
static inline char *dequote(const char *doc)
{
    char *text = strdup(doc);
    if (text == NULL)
        abort();
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    return text;
}

/* oci_spec_parse() of a dequoted DOC. */
static inline int parse_doc(const char *doc, struct oci_spec **spec, vd_error **err)
{
    char *text = dequote(doc);
    *spec = NULL;
    int r = oci_spec_parse(text, strlen(text), spec, err);
    free(text);
    return r;
}

/* parse_good_at(LINE, DOC): parse_doc() that must succeed; the spec or NULL. */
#define parse_good_at(line, doc) parse_good_file(CHECK_FILE, (line), (doc))
static inline struct oci_spec *parse_good_file(const char *file, int line, const char *doc)
{
    struct oci_spec *spec;
    vd_error *err = NULL;
    if (parse_doc(doc, &spec, &err) < 0)
        fprintf(stderr, "%s:%d: unexpected error: %s\n", file, line, err ? err->msg : "?");
    check_at_file(file, line, spec != NULL, "parses");
    vd_error_free(&err);
    return spec;
}

/* parse_bad_at(LINE, DOC, WANT): parse_doc() must fail with exactly WANT. */
#define parse_bad_at(line, doc, want) parse_bad_file(CHECK_FILE, (line), (doc), (want))
static inline void parse_bad_file(const char *file, int line, const char *doc, const char *want)
{
    struct oci_spec *spec;
    vd_error *err = NULL;
    int r = parse_doc(doc, &spec, &err);
    bool ok = r < 0 && spec == NULL && error_is(err, want);
    if (!ok)
        fprintf(stderr, "%s:%d: want error\n    %s\ngot\n    %s\n", file, line, want,
                err ? err->msg : "(no error)");
    check_at_file(file, line, ok, "exact error");
    vd_error_free(&err);
    oci_spec_free(spec);
}

/*
 * Parse DOC and translate it into a new builder, with the bundle at "/" (its
 * root path is then checked against the host's, and nothing runs).  Returns
 * NULL and sets *b on success, else the error's message (malloc'd) and *b is
 * NULL.  A parse error is returned the same way: a test says which it wants.
 */
static inline char *translate_doc(const char *doc, vd_builder **b)
{
    struct oci_spec *spec;
    vd_error *err = NULL;
    char *msg = NULL;
    *b = NULL;
    if (parse_doc(doc, &spec, &err) == 0) {
        *b = vd_builder_new();
        struct oci_translate_opts opts = {.bundle = "/"};
        if (*b == NULL || oci_translate(spec, &opts, *b, &err) < 0) {
            vd_builder_free(*b);
            *b = NULL;
        }
    }
    if (*b == NULL) {
        msg = strdup(err && err->msg ? err->msg : "?");
        if (msg == NULL)
            abort();
    }
    vd_error_free(&err);
    oci_spec_free(spec);
    return msg;
}

/*
 * translate_good_at(LINE, DOC): translate_doc() that must succeed; the
 * builder, or NULL and a failure.  (Macros, so that FILE is the test's.)
 */
#define translate_good_at(line, doc) translate_good_file(CHECK_FILE, (line), (doc))
static inline vd_builder *translate_good_file(const char *file, int line, const char *doc)
{
    vd_builder *b;
    char *msg = translate_doc(doc, &b);
    if (msg)
        fprintf(stderr, "%s:%d: unexpected error: %s\n", file, line, msg);
    check_at_file(file, line, b != NULL, "translates");
    free(msg);
    return b;
}

/* translate_bad_at(LINE, DOC, WANT): translate_doc() must fail with WANT. */
#define translate_bad_at(line, doc, want) translate_bad_file(CHECK_FILE, (line), (doc), (want))
static inline void translate_bad_file(const char *file, int line, const char *doc,
                                      const char *want)
{
    vd_builder *b;
    char *msg = translate_doc(doc, &b);
    bool ok = b == NULL && streq(msg, want);
    if (!ok)
        fprintf(stderr, "%s:%d: want error\n    %s\ngot\n    %s\n", file, line, want,
                msg ? msg : "(no error)");
    check_at_file(file, line, ok, "exact error");
    vd_builder_free(b);
    free(msg);
}

#endif
