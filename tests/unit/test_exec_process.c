/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process of `exec`: a standalone process JSON file (oci_process_load)
 * and the container's process with the command line's changes
 * (oci_process_override, runc's rules).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "utils.h"
#include "check.h"

static char dir[] = "/tmp/test_exec_process.XXXXXX";

/* Write `text` to DIR/process.json; returns its path (static). */
static const char *write_process(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "%s/process.json", dir);
    FILE *f = fopen(path, "we");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
    return path;
}

static void test_load_good(void)
{
    const char *path = write_process(
        "{\"args\": [\"sh\", \"-c\", \"true\"], \"cwd\": \"/tmp\", \"env\": [\"A=1\"],"
        " \"user\": {\"uid\": 7, \"gid\": 8, \"additionalGids\": [9]}, \"terminal\": true,"
        " \"noNewPrivileges\": true, \"capabilities\": {\"effective\": [\"CAP_KILL\"]}}");
    struct oci_process *p = NULL;
    vd_error *err = NULL;
    CHECK(oci_process_load(path, &p, &err) == 0);
    CHECK(err == NULL);
    if (p == NULL)
        return;
    CHECK(p->n_args == 3 && streq(p->args[0], "sh") && p->args[3] == NULL);
    CHECK(streq(p->cwd, "/tmp"));
    CHECK(p->n_env == 1 && streq(p->env[0], "A=1"));
    CHECK(p->user.uid == 7 && p->user.gid == 8);
    CHECK(p->user.n_additional_gids == 1 && p->user.additional_gids[0] == 9);
    CHECK(p->terminal && p->no_new_privileges);
    CHECK(p->has_capabilities && p->capabilities.n[OCI_CAP_EFFECTIVE] == 1);
    oci_process_free(p);
}

/* The error names the file and the JSON path inside it. */
static void check_load_error(int line, const char *text, const char *message)
{
    const char *path = write_process(text);
    struct oci_process *p = NULL;
    vd_error *err = NULL;
    bool failed_as_expected = oci_process_load(path, &p, &err) < 0 && p == NULL && err &&
                              streq(err->msg, message);
    if (!failed_as_expected)
        fprintf(stderr, "test_exec_process.c:%d: got \"%s\", want \"%s\"\n", line,
                err ? err->msg : "(no error)", message);
    check_at(line, failed_as_expected, message);
    vd_error_free(&err);
    oci_process_free(p);
}

static void test_load_bad(void)
{
    check_load_error(__LINE__, "{\"args\": [], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}}",
                     "process.json: args: must be a non-empty array");
    check_load_error(__LINE__, "{\"args\": [\"x\"], \"cwd\": \"rel\", "
                     "\"user\": {\"uid\": 0, \"gid\": 0}}",
                     "process.json: cwd: must be an absolute path");
    check_load_error(__LINE__, "{\"args\": [\"x\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, "
                     "\"gid\": 0}, \"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}",
                     "process.json: capabilities.bounding[0]: unknown capability \"CAP_NOPE\"");
    check_load_error(__LINE__, "[1]", "process.json: (root): expected an object");
}

static struct oci_process *base_process(void)
{
    const char *path = write_process(
        "{\"args\": [\"sleep\", \"100\"], \"cwd\": \"/\", \"env\": [\"PATH=/bin\", \"KEEP=1\","
        " \"OVER=old\"], \"user\": {\"uid\": 1, \"gid\": 2, \"additionalGids\": [3]},"
        " \"terminal\": true, \"capabilities\": {\"bounding\": [\"CAP_CHOWN\"],"
        " \"effective\": [\"CAP_CHOWN\"], \"permitted\": [\"CAP_CHOWN\"]}}");
    struct oci_process *p = NULL;
    if (oci_process_load(path, &p, NULL) < 0)
        abort();
    return p;
}

static void test_override(void)
{
    struct oci_process *p = base_process();
    char *args[] = {"echo", "hi"};
    char *env[] = {"OVER=new", "ADDED=2"};
    char *caps[] = {"CAP_KILL"};
    uint32_t gids[] = {10};
    struct oci_process_overrides o = {
        .args = args, .n_args = 2, .env = env, .n_env = 2, .cwd = "/tmp", .has_uid = true,
        .uid = 5, .additional_gids = gids, .n_additional_gids = 1, .caps = caps, .n_caps = 1,
        .no_new_privileges = true, .terminal = false};
    vd_error *err = NULL;
    CHECK(oci_process_override(p, &o, &err) == 0);
    CHECK(p->n_args == 2 && streq(p->args[0], "echo") && streq(p->args[1], "hi") &&
          p->args[2] == NULL);
    CHECK(p->n_env == 4 && streq(p->env[0], "PATH=/bin") && streq(p->env[1], "KEEP=1") &&
          streq(p->env[2], "OVER=new") && streq(p->env[3], "ADDED=2") && p->env[4] == NULL);
    CHECK(streq(p->cwd, "/tmp"));
    CHECK(p->user.uid == 5 && p->user.gid == 2); /* no GID given: kept */
    CHECK(p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 10);
    CHECK(p->capabilities.n[OCI_CAP_EFFECTIVE] == 2 &&
          streq(p->capabilities.names[OCI_CAP_EFFECTIVE][1], "CAP_KILL"));
    CHECK(p->capabilities.n[OCI_CAP_BOUNDING] == 2 && p->capabilities.n[OCI_CAP_PERMITTED] == 2);
    /* no inheritable ones: no ambient one either (runc) */
    CHECK(p->capabilities.n[OCI_CAP_AMBIENT] == 0);
    CHECK(p->no_new_privileges && !p->terminal);
    oci_process_free(p);
}

static void check_override_error(int line, const struct oci_process_overrides *o,
                                 const char *message)
{
    struct oci_process *p = base_process();
    vd_error *err = NULL;
    bool ok = oci_process_override(p, o, &err) < 0 && err && streq(err->msg, message);
    if (!ok)
        fprintf(stderr, "test_exec_process.c:%d: got \"%s\", want \"%s\"\n", line,
                err ? err->msg : "(no error)", message);
    check_at(line, ok, message);
    vd_error_free(&err);
    oci_process_free(p);
}

static void test_override_bad(void)
{
    char *args[] = {"true"};
    char *bad_env[] = {"NOEQUALS"};
    char *bad_cap[] = {"cap_kill"};
    check_override_error(__LINE__, &(struct oci_process_overrides){.n_args = 0},
                         "exec: no command given (ID COMMAND [ARG...], or --process)");
    check_override_error(__LINE__,
                         &(struct oci_process_overrides){.args = args, .n_args = 1,
                                                         .env = bad_env, .n_env = 1},
                         "--env: \"NOEQUALS\" is not KEY=VALUE");
    check_override_error(__LINE__,
                         &(struct oci_process_overrides){.args = args, .n_args = 1,
                                                         .caps = bad_cap, .n_caps = 1},
                         "--cap: unknown capability \"cap_kill\"");
    check_override_error(__LINE__,
                         &(struct oci_process_overrides){.args = args, .n_args = 1,
                                                         .cwd = "tmp"},
                         "--cwd: \"tmp\" is not an absolute path");
}

int main(void)
{
    if (mkdtemp(dir) == NULL)
        return 1;
    test_load_good();
    test_load_bad();
    test_override();
    test_override_bad();
    char path[64];
    snprintf(path, sizeof(path), "%s/process.json", dir);
    unlink(path);
    rmdir(dir);
    return check_summary("test_exec_process");
}
