/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp: what the parser keeps, the exact error (JSON path
 * included) for every refusal, libvoid's name tables, and the compile
 * (translate) of good filters and bad ones.  The builder keeps the program
 * it is given to itself: its length and flags are read from the same
 * document compiled again by oci_seccomp_compile.
 *
 * Test documents use ' for " so they stay readable; dequote() swaps them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "translate.h"
#include "check.h"

#define HEAD                                                                                     \
    "{'ociVersion': '1.3.0', 'root': {'path': '/'},"                                             \
    " 'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': '/'},"
#define DOC(seccomp) HEAD " 'linux': {'seccomp': {" seccomp "}}}"

static struct oci_spec *good_at(int line, const char *doc)
{
    struct oci_spec *spec = parse_good_at(line, doc);
    check_at(line, spec == NULL || (spec->linux_ && spec->linux_->seccomp), "has a filter");
    return spec;
}
#define GOOD(doc) good_at(__LINE__, doc)
#define BAD(doc, want) parse_bad_at(__LINE__, doc, want)

static void test_parse(void)
{
    struct oci_spec *s = GOOD(DOC(
        "'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
        " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
        " 'flags': ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],"
        " 'listenerPath': '/run/agent.sock', 'listenerMetadata': 'meta',"
        " 'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
        "   {'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'},"
        "   {'names': ['clone'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,"
        "    'args': [{'index': 0, 'value': 2114060288, 'valueTwo': 0,"
        "              'op': 'SCMP_CMP_MASKED_EQ'}, {'index': 5, 'value': 18446744073709551615,"
        "              'op': 'SCMP_CMP_NE'}]}]"));
    const struct oci_seccomp *sc = s && s->linux_ ? s->linux_->seccomp : NULL;
    if (sc) {
        CHECK(sc->default_action == VD_SECCOMP_ERRNO);
        CHECK(sc->has_default_errno_ret && sc->default_errno_ret == 38);
        CHECK(sc->n_architectures == 3 && streq(sc->architectures[2], "SCMP_ARCH_X32"));
        CHECK(sc->flags == (VD_SECCOMP_FLAG_LOG | VD_SECCOMP_FLAG_SPEC_ALLOW));
        CHECK(streq(sc->listener_path, "/run/agent.sock"));
        CHECK(streq(sc->listener_metadata, "meta"));
        CHECK(sc->n_syscalls == 3);
        CHECK(sc->syscalls[0].n_names == 2 && streq(sc->syscalls[0].names[1], "write"));
        CHECK(sc->syscalls[0].action == VD_SECCOMP_ALLOW && !sc->syscalls[0].has_errno_ret);
        CHECK(sc->syscalls[1].action == VD_SECCOMP_NOTIFY);
        CHECK(sc->syscalls[2].errno_ret == 38 && sc->syscalls[2].n_args == 2);
        CHECK(sc->syscalls[2].args[0].op == VD_SECCOMP_MASKED_EQ);
        CHECK(sc->syscalls[2].args[0].value == 2114060288);
        CHECK(sc->syscalls[2].args[1].index == 5);
        CHECK(sc->syscalls[2].args[1].value == UINT64_MAX);
    }
    oci_spec_free(s);

    /* Defaults: EPERM for ERRNO, KILL is KILL_THREAD. */
    s = GOOD(DOC("'defaultAction': 'SCMP_ACT_KILL',"
                 " 'syscalls': [{'names': ['x'], 'action': 'SCMP_ACT_ERRNO'}]"));
    sc = s && s->linux_ ? s->linux_->seccomp : NULL;
    if (sc) {
        CHECK(sc->default_action == VD_SECCOMP_KILL_THREAD);
        CHECK(sc->default_errno_ret == EPERM && !sc->has_default_errno_ret);
        CHECK(sc->syscalls[0].errno_ret == EPERM);
    }
    oci_spec_free(s);
}

static void test_bad(void)
{
    BAD(DOC(""), "linux.seccomp.defaultAction: is required");
    BAD(HEAD " 'linux': {'seccomp': []}}", "linux.seccomp: expected an object");
    BAD(DOC("'defaultAction': 'SCMP_ACT_NOPE'"),
        "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
    BAD(DOC("'defaultAction': 'SCMP_ACT_NOTIFY', 'listenerPath': '/x'"),
        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'defaultErrnoRet': 1"),
        "linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW returns no errno");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 65536"),
        "linux.seccomp.defaultErrnoRet: must be between 0 and 65535");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': '1'"),
        "linux.seccomp.defaultErrnoRet: expected an integer");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86', 'x86_64']"),
        "linux.seccomp.architectures[1]: unknown architecture \"x86_64\"");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': 'SCMP_ARCH_X86'"),
        "linux.seccomp.architectures: expected an array");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_NOPE']"),
        "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': 'agent.sock'"),
        "linux.seccomp.listenerPath: must be an absolute path");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerMetadata': 'm'"),
        "linux.seccomp.listenerMetadata: needs listenerPath");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW',"
            " 'syscalls': [{'names': ['a'], 'action': 'SCMP_ACT_LOG'},"
            "              {'names': ['b'], 'action': 'SCMP_ACT_NOTIFY'}]"),
        "linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'action': 'SCMP_ACT_LOG'}]"),
        "linux.seccomp.syscalls[0].names: is required");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': [], 'action': 'SCMP_ACT_LOG'}]"),
        "linux.seccomp.syscalls[0].names: must name at least one syscall");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a', 1], 'action': 'SCMP_ACT_LOG'}]"),
        "linux.seccomp.syscalls[0].names[1]: expected a string");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a']}]"),
        "linux.seccomp.syscalls[0].action: is required");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'], 'action': 'X'}]"),
        "linux.seccomp.syscalls[0].action: unknown action \"X\"");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW',"
            " 'syscalls': [{'names': ['a'], 'action': 'SCMP_ACT_KILL', 'errnoRet': 1}]"),
        "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL returns no errno");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW',"
            " 'syscalls': [{'names': ['a'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': -1}]"),
        "linux.seccomp.syscalls[0].errnoRet: must be between 0 and 65535");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'],"
            " 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]"),
        "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5 (a syscall has six "
        "arguments)");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'],"
            " 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 1, 'op': 'EQ'}]}]"),
        "linux.seccomp.syscalls[0].args[0].op: unknown operator \"EQ\"");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'],"
            " 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'op': 'SCMP_CMP_EQ'}]}]"),
        "linux.seccomp.syscalls[0].args[0].value: is required");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'],"
            " 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': -1, 'op': 'SCMP_CMP_EQ'}]}]"),
        "linux.seccomp.syscalls[0].args[0].value: must be between 0 and 18446744073709551615");
    BAD(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['a'],"
            " 'action': 'SCMP_ACT_ERRNO', 'args': {}}]"),
        "linux.seccomp.syscalls[0].args: expected an array");
}

/* Every name name_at gives is one from_name takes, and `name` is among them. */
static bool listed(const char *(*name_at)(size_t), int (*known)(const char *), const char *name)
{
    bool found = false;
    const char *n;
    for (size_t i = 0; (n = name_at(i)) != NULL; i++) {
        if (!known(n))
            return false;
        found = found || streq(n, name);
    }
    return found;
}

static int action_known(const char *name)
{
    enum vd_seccomp_action a;
    return vd_seccomp_action_from_name(name, &a) == 0;
}

static int op_known(const char *name)
{
    enum vd_seccomp_op op;
    return vd_seccomp_op_from_name(name, &op) == 0;
}

static int flag_known(const char *name)
{
    unsigned flag;
    return vd_seccomp_flag_from_name(name, &flag) == 0;
}

static void test_names(void)
{
    CHECK(listed(vd_seccomp_action_name_at, action_known, "SCMP_ACT_KILL"));
    CHECK(listed(vd_seccomp_action_name_at, action_known, "SCMP_ACT_NOTIFY"));
    CHECK(listed(vd_seccomp_op_name_at, op_known, "SCMP_CMP_MASKED_EQ"));
    CHECK(listed(vd_seccomp_flag_name_at, flag_known, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
    const char *arches[64];
    size_t n = vd_seccomp_arch_names(arches, 64);
    bool x86_64 = false, x32 = false;
    for (size_t i = 0; i < n && i < 64; i++) {
        x86_64 = x86_64 || streq(arches[i], "SCMP_ARCH_X86_64");
        x32 = x32 || streq(arches[i], "SCMP_ARCH_X32");
    }
    CHECK(n >= 19 && x86_64 && x32);
    CHECK(vd_seccomp_arch_names(NULL, 0) == n);
    enum vd_seccomp_action a;
    CHECK(vd_seccomp_action_from_name("SCMP_ACT_KILL_PROCESS", &a) == 0 &&
          a == VD_SECCOMP_KILL_PROCESS);
    CHECK(vd_seccomp_action_from_name("scmp_act_allow", &a) < 0);
    CHECK(vd_seccomp_action_takes_errno(VD_SECCOMP_TRACE));
    CHECK(!vd_seccomp_action_takes_errno(VD_SECCOMP_LOG));
}

/* TSYNC is as old as seccomp(2) (Linux 3.17), LOG came in 4.14; a flag
 * voidoci does not know is never supported. */
static void test_flag_supported(void)
{
    CHECK(vd_seccomp_flag_supported(VD_SECCOMP_FLAG_TSYNC));
    CHECK(vd_seccomp_flag_supported(VD_SECCOMP_FLAG_LOG));
    CHECK(!vd_seccomp_flag_supported(1u << 30));
}

/*
 * The program translate_doc(DOC) gives the builder, compiled again from the
 * parsed DOC (the builder does not show its own); NULL where DOC has no
 * filter or it does not compile.  Free with vd_seccomp_prog_free.
 */
static struct vd_seccomp_prog *program_of(const char *doc)
{
    struct oci_spec *spec;
    vd_error *err = NULL;
    struct vd_seccomp_prog *p = NULL;
    if (parse_doc(doc, &spec, &err) == 0 && spec->linux_ && spec->linux_->seccomp)
        p = oci_seccomp_compile(spec->linux_->seccomp, &err);
    vd_error_free(&err);
    oci_spec_free(spec);
    return p;
}

static void test_compile(void)
{
    vd_builder *b = NULL;
    struct vd_seccomp_prog *p;
    /* Unknown names are skipped; a rule equal to the default is dropped;
     * the same argument twice becomes two rules; socket conditions on x86
     * (socketcall) compile. */
    const char *doc = DOC(
        "'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
        " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
        " 'flags': ['SECCOMP_FILTER_FLAG_TSYNC'], 'listenerPath': '/run/a.sock',"
        " 'syscalls': [{'names': ['read', 'no_such_syscall_at_all'], 'action': 'SCMP_ACT_ALLOW'},"
        "   {'names': ['mkdirat'], 'action': 'SCMP_ACT_NOTIFY'},"
        "   {'names': ['chmod'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38},"
        "   {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': ["
        "     {'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'},"
        "     {'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'}]},"
        "   {'names': ['socket'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 22, 'args': ["
        "     {'index': 0, 'value': 16, 'op': 'SCMP_CMP_EQ'},"
        "     {'index': 2, 'value': 9, 'op': 'SCMP_CMP_EQ'}]}]");
    char *msg = translate_doc(doc, &b);
    CHECK(msg == NULL && b);
    if (msg)
        fprintf(stderr, "  %s\n", msg);
    p = program_of(doc);
    CHECK(p && p->len > 10);
    CHECK(p && p->notify);
    /* TSYNC with a listener only passes the kernel as TSYNC_ESRCH too. */
    CHECK(p && p->kernel_flags == (1UL << 0 | 1UL << 3 | 1UL << 4));
    vd_seccomp_prog_free(p);
    vd_builder_free(b);
    free(msg);

    b = NULL;
    msg = translate_doc(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/run/a.sock',"
                           " 'syscalls': [{'names': ['sendmsg'], 'action': 'SCMP_ACT_NOTIFY'}]"),
                       &b);
    CHECK(streq(msg, "linux.seccomp.syscalls[0].names[0]: seccomp: \"sendmsg\" cannot be "
                     "SCMP_ACT_NOTIFY: it hands the listener its fd: Invalid argument"));
    free(msg);
    vd_builder_free(b);

    /* No seccomp: it translates, and there is no filter to compile
     * (oci_translate_seccomp then gives the builder none). */
    b = NULL;
    msg = translate_doc(HEAD " 'linux': {}}", &b);
    CHECK(msg == NULL && b);
    CHECK(program_of(HEAD " 'linux': {}}") == NULL);
    free(msg);
    vd_builder_free(b);
}

/* oci_spec_load_without_seccomp_rules (exec's load of the config copy):
 * the profile without its rules, marked so; neither compiled nor keyed as
 * the whole profile. */
static void test_rules_left_out(void)
{
    char *text = dequote(DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/run/a.sock',"
                             " 'listenerMetadata': 'm', 'syscalls': [{'names': ['mkdir'],"
                             " 'action': 'SCMP_ACT_ERRNO'}]"));
    char path[] = "/tmp/test_seccomp.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    if (fd >= 0)
        close(fd);
    vd_error *err = NULL;
    struct oci_spec *whole = NULL, *lean = NULL;
    CHECK(oci_spec_load(path, &whole, &err) == 0);
    CHECK(oci_spec_load_without_seccomp_rules(path, &lean, &err) == 0);
    unlink(path);
    free(text);
    const struct oci_seccomp *w = whole && whole->linux_ ? whole->linux_->seccomp : NULL;
    const struct oci_seccomp *l = lean && lean->linux_ ? lean->linux_->seccomp : NULL;
    CHECK(w && w->n_syscalls == 1 && !w->rules_left_out);
    CHECK(l && l->n_syscalls == 0 && l->rules_left_out);
    if (w && l) {
        CHECK(streq(l->listener_path, "/run/a.sock") && streq(l->listener_metadata, "m"));
        CHECK(l->default_action == w->default_action);
        struct vd_seccomp_prog *p = oci_seccomp_compile(l, &err);
        CHECK(p == NULL && err && strstr(err->msg, "linux.seccomp.syscalls: not read") != NULL);
        vd_seccomp_prog_free(p);
        /* Its digest is not that of the profile, nor of one with no rules. */
        struct oci_seccomp none = *w;
        none.n_syscalls = 0;
        uint8_t dw[VD_SHA256_LEN], dl[VD_SHA256_LEN], dn[VD_SHA256_LEN];
        const struct oci_seccomp *sps[] = {w, l, &none};
        uint8_t *outs[] = {dw, dl, dn};
        for (int k = 0; k < 3; k++) {
            struct vd_sha256 ctx;
            vd_sha256_init(&ctx);
            oci_seccomp_digest(sps[k], &ctx);
            vd_sha256_final(&ctx, outs[k]);
        }
        CHECK(memcmp(dl, dw, VD_SHA256_LEN) != 0 && memcmp(dl, dn, VD_SHA256_LEN) != 0);
    }
    oci_spec_free(whole);
    oci_spec_free(lean);
    vd_error_free(&err);
}

/* WAIT_KILLABLE_RECV reaches the kernel only beside a listener, which it
 * needs there; an architecture of the other byte order is left out. */
static void test_flag_and_arch_left_out(void)
{
    const char *other = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "SCMP_ARCH_S390X"
                                                                   : "SCMP_ARCH_X86_64";
    char doc[512];
    snprintf(doc, sizeof(doc), HEAD " 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
             " 'architectures': ['%s'], 'flags': ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
             " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}}}", other);
    vd_builder *b = NULL;
    char *msg = translate_doc(doc, &b);
    CHECK(msg == NULL && b);
    if (msg)
        fprintf(stderr, "  %s\n", msg);
    struct vd_seccomp_prog *p = program_of(doc);
    CHECK(p && p->kernel_flags == 0);
    vd_seccomp_prog_free(p);
    vd_builder_free(b);
    free(msg);

    const char *notify = DOC("'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/run/a.sock',"
                             " 'flags': ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],"
                             " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]");
    b = NULL;
    msg = translate_doc(notify, &b);
    CHECK(msg == NULL && b);
    p = program_of(notify);
    CHECK(p && p->kernel_flags == (1UL << 3 | 1UL << 5)); /* NEW_LISTENER | WAIT_KILLABLE_RECV */
    vd_seccomp_prog_free(p);
    vd_builder_free(b);
    free(msg);
}

int main(void)
{
    test_parse();
    test_bad();
    test_names();
    test_flag_supported();
    test_compile();
    test_flag_and_arch_left_out();
    test_rules_left_out();
    return check_summary("test_seccomp");
}
