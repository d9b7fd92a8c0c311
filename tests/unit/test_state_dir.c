/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for src/state_dir.c (container IDs, the state dir) and src/log.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"
#include "voidoci.h"
#include "check.h"

static void test_id_accepted(const char *id)
{
    _cleanup_error_ vd_error *err = NULL;
    CHECK_MSG(validate_container_id(id, &err) == 0 && err == NULL, id);
}

static void test_id_rejected(const char *id, const char *msg)
{
    _cleanup_error_ vd_error *err = NULL;
    CHECK_MSG(validate_container_id(id, &err) < 0 && error_is(err, msg), msg);
}

static void test_validate_container_id(void)
{
    char longest[VOIDOCI_ID_MAX + 2];
    memset(longest, 'a', VOIDOCI_ID_MAX);
    longest[VOIDOCI_ID_MAX] = '\0';

    test_id_accepted("a");
    test_id_accepted("web-1");
    test_id_accepted("A_b+c.d-0");
    test_id_accepted("...");
    test_id_accepted(".hidden");
    test_id_accepted(longest);

    longest[VOIDOCI_ID_MAX] = 'a';
    longest[VOIDOCI_ID_MAX + 1] = '\0';
    test_id_rejected(longest, "container ID is longer than 1024 bytes");
    test_id_rejected("", "container ID is empty");
    test_id_rejected(NULL, "container ID is empty");
    test_id_rejected(".", "invalid container ID \".\"");
    test_id_rejected("..", "invalid container ID \"..\"");
    test_id_rejected("a/b",
                     "invalid container ID \"a/b\": only letters, digits and _+.- are allowed");
    test_id_rejected("../etc",
                     "invalid container ID \"../etc\": only letters, digits and _+.- are allowed");
    test_id_rejected("a b",
                     "invalid container ID \"a b\": only letters, digits and _+.- are allowed");
    test_id_rejected("caf\xc3\xa9",
                     "invalid container ID \"caf\xc3\xa9\": only letters, digits and _+.- are "
                     "allowed");
}

static bool is_dir_with_mode(const char *path, mode_t mode)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == mode;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void write_file(const char *path)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0 && write(fd, "x", 1) != 1)
        failed++;
}

static char *join(const char *a, const char *b)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", a, b) < 0)
        abort();
    return p;
}

static void test_state_dir_create(const char *tmp)
{
    _cleanup_free_ char *root = join(tmp, "missing/parents/root");
    _cleanup_free_ char *expected = join(root, "c1");
    _cleanup_free_ char *dir = NULL;
    _cleanup_error_ vd_error *err = NULL;

    CHECK_MSG(state_dir_create(root, "c1", &dir, &err) == 0 && err == NULL, "create with parents");
    CHECK_MSG(dir && strcmp(dir, expected) == 0, "create returns <root>/<id>");
    CHECK_MSG(is_dir_with_mode(root, 0700), "root is 0700");
    CHECK_MSG(is_dir_with_mode(expected, 0700), "state dir is 0700");

    CHECK_MSG(state_dir_create(root, "c1", NULL, &err) == -1 &&
              error_is(err, "container \"c1\" already exists"),
          "second create: already exists");
    vd_error_free(&err);

    CHECK_MSG(state_dir_create(root, "..", NULL, &err) < 0 &&
              error_is(err, "invalid container ID \"..\""),
          "create refuses \"..\"");
    vd_error_free(&err);

    _cleanup_free_ char *file_root = join(tmp, "a-file");
    write_file(file_root);
    CHECK_MSG(state_dir_create(file_root, "c1", NULL, &err) < 0 && err && err->errnum == ENOTDIR,
          "create under a file fails with ENOTDIR");
}

/* The state dir holds files and fifos; symlinks in it must be removed, never
 * followed. */
static void test_state_dir_remove(const char *tmp)
{
    _cleanup_free_ char *root = join(tmp, "root");
    _cleanup_free_ char *outside_dir = join(tmp, "outside");
    _cleanup_free_ char *outside_file = join(outside_dir, "keep");
    _cleanup_free_ char *dir = NULL;
    _cleanup_error_ vd_error *err = NULL;

    mkdir(outside_dir, 0700);
    write_file(outside_file);
    CHECK_MSG(state_dir_create(root, "c2", &dir, &err) == 0, "create for remove");

    _cleanup_free_ char *state = join(dir, "state.json");
    _cleanup_free_ char *fifo = join(dir, "exec.fifo");
    _cleanup_free_ char *sub = join(dir, "sub");
    _cleanup_free_ char *sub_file = join(sub, "f");
    _cleanup_free_ char *link_dir = join(dir, "link-dir");
    _cleanup_free_ char *link_file = join(dir, "link-file");
    write_file(state);
    CHECK_MSG(mkfifo(fifo, 0600) == 0, "mkfifo");
    CHECK_MSG(mkdir(sub, 0700) == 0, "mkdir sub");
    write_file(sub_file);
    CHECK_MSG(symlink(outside_dir, link_dir) == 0, "symlink to dir");
    CHECK_MSG(symlink(outside_file, link_file) == 0, "symlink to file");

    CHECK_MSG(state_dir_remove(root, "c2", &err) == 0 && err == NULL, "remove");
    CHECK_MSG(!exists(dir), "state dir is gone");
    CHECK_MSG(exists(root), "root is kept");
    CHECK_MSG(exists(outside_file), "symlink targets are kept");

    CHECK_MSG(state_dir_remove(root, "c2", &err) == 0, "removing a missing dir is fine");
    _cleanup_free_ char *no_root = join(tmp, "no-root");
    CHECK_MSG(state_dir_remove(no_root, "c2", &err) == 0, "removing under a missing root is fine");
    CHECK_MSG(state_dir_remove(root, "../outside", &err) < 0 && exists(outside_file),
          "remove refuses a path as ID");
}

static void test_json_escape(const char *in, const char *out)
{
    _cleanup_free_ char *got = log_json_escape(in);
    CHECK_MSG(got && strcmp(got, out) == 0, out);
    if (got && strcmp(got, out) != 0)
        fprintf(stderr, "  got: %s\n", got);
}

static void test_log_json_escape(void)
{
    test_json_escape("", "");
    test_json_escape("plain text", "plain text");
    test_json_escape("say \"hi\"", "say \\\"hi\\\"");
    test_json_escape("C:\\path", "C:\\\\path");
    test_json_escape("a\nb\tc\rd", "a\\nb\\tc\\rd");
    test_json_escape("\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
    test_json_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6",
                     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6");
    test_json_escape("bad \xff byte", "bad \\ufffd byte");
    test_json_escape("cut \xe2\x82", "cut \\ufffd\\ufffd");
    test_json_escape("overlong \xc0\xaf", "overlong \\ufffd\\ufffd");
    test_json_escape("surrogate \xed\xa0\x80", "surrogate \\ufffd\\ufffd\\ufffd");
}

static char *read_all(const char *path)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    if (f == NULL)
        return strdup("");
    char *buf = calloc(1, 4096);
    if (buf && fread(buf, 1, 4095, f) == 0 && ferror(f))
        buf[0] = '\0';
    return buf;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_log_file(const char *tmp)
{
    _cleanup_free_ char *json_path = join(tmp, "log.json");
    _cleanup_free_ char *text_path = join(tmp, "log.txt");

    struct global_opts g = {.log_path = json_path, .log_json = true};
    log_init(&g);
    log_warning("not in the file without --debug");
    log_error("create \"%s\": %s", "web", "bad \"args\"");
    _cleanup_free_ char *json = read_all(json_path);
    const char *json_prefix = "{\"level\":\"error\","
                              "\"msg\":\"create \\\"web\\\": bad \\\"args\\\"\","
                              "\"time\":\"";
    CHECK_MSG(has_prefix(json, json_prefix), "JSON log line");
    CHECK_MSG(strchr(json, '\n') == json + strlen(json) - 1, "exactly one JSON line");
    CHECK_MSG(strlen(json) == strlen(json_prefix) + strlen("2026-11-22T10:13:42Z\"}\n"),
          "RFC 3339 UTC time");
    struct stat st;
    CHECK_MSG(stat(json_path, &st) == 0 && (st.st_mode & 0777) == 0600, "log file is 0600");

    g = (struct global_opts){.log_path = text_path, .debug = true};
    log_init(&g);
    log_warning("careful");
    _cleanup_free_ char *text = read_all(text_path);
    CHECK_MSG(has_prefix(text, "time=\"") && strstr(text, "\" level=warning msg=\"careful\"\n"),
          "text log line, warnings with --debug");

    g = (struct global_opts){0};
    log_init(&g);
}

static int remove_tree(const char *path)
{
    _cleanup_free_ char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf '%s'", path) < 0)
        return -1;
    return system(cmd);
}

int main(void)
{
    char tmp[] = "/tmp/test_state.XXXXXX";
    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    umask(022);

    test_validate_container_id();
    test_state_dir_create(tmp);
    test_state_dir_remove(tmp);
    test_log_json_escape();
    test_log_file(tmp);

    remove_tree(tmp);
    return check_summary("test_state_dir");
}
