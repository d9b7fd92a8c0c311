/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for oci/state.c (state.json and the printed state) and the JSON
 * writer in oci/json.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "state.h"
#include "utils.h"
#include "check.h"

static char *join(const char *a, const char *b)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", a, b) < 0)
        abort();
    return p;
}

static void write_file(const char *path, const char *text, size_t len)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
}

/* ---- the writer ----------------------------------------------------------- */

/* A document with every kind of value, empty containers and escapes. */
static void write_sample(struct oci_json_writer *w)
{
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "s");
    oci_json_write_string(w, "a\"b\\c\n\t\x01/\xc3\xa9");
    oci_json_write_key(w, "n");
    oci_json_write_int(w, -42);
    oci_json_write_key(w, "u");
    oci_json_write_uint(w, UINT64_MAX);
    oci_json_write_key(w, "b");
    oci_json_write_bool(w, true);
    oci_json_write_key(w, "z");
    oci_json_write_null(w);
    oci_json_write_key(w, "eo");
    oci_json_write_begin_object(w);
    oci_json_write_end_object(w);
    oci_json_write_key(w, "ea");
    oci_json_write_begin_array(w);
    oci_json_write_end_array(w);
    oci_json_write_key(w, "a");
    oci_json_write_begin_array(w);
    oci_json_write_int(w, 1);
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "k");
    oci_json_write_bool(w, false);
    oci_json_write_end_object(w);
    oci_json_write_end_array(w);
    oci_json_write_end_object(w);
}

static char *finish(struct oci_json_writer *w, vd_error **err)
{
    return oci_json_writer_finish(w, NULL, err);
}

static void test_writer_compact(void)
{
    struct oci_json_writer *w = oci_json_writer_new(false);
    write_sample(w);
    _cleanup_error_ vd_error *err = NULL;
    size_t len = 0;
    _cleanup_free_ char *text = oci_json_writer_finish(w, &len, &err);
    const char *want = "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\",\"n\":-42,"
                       "\"u\":18446744073709551615,\"b\":true,\"z\":null,\"eo\":{},\"ea\":[],"
                       "\"a\":[1,{\"k\":false}]}";
    CHECK_MSG(streq(text, want), "compact form");
    CHECK_MSG(text && len == strlen(want), "compact length");

    /* and it parses back to the same string */
    _cleanup_json_ struct oci_json *root = NULL;
    CHECK_MSG(text && oci_json_parse(text, strlen(text), &root, &err) == 0, "compact form parses");
    if (root)
        CHECK_MSG(streq(oci_json_string(oci_json_get(root, "s"), NULL),
                    "a\"b\\c\n\t\x01/\xc3\xa9"),
              "escaped string round trip");
}

/* The one escape rule (oci_json_escape): the writer, message quoting and
 * the log all follow it. */
static void test_escape_rule(void)
{
    char buf[8];
    CHECK_MSG(streq(oci_json_escape('"', buf), "\\\"") && streq(oci_json_escape('\\', buf), "\\\\"),
          "quote and backslash");
    CHECK_MSG(streq(oci_json_escape('\n', buf), "\\n") && streq(oci_json_escape('\t', buf), "\\t") &&
              streq(oci_json_escape('\r', buf), "\\r"),
          "newline, tab, return in short form");
    CHECK_MSG(streq(oci_json_escape('\b', buf), "\\u0008") && streq(oci_json_escape(0x1f, buf), "\\u001f") &&
              streq(oci_json_escape(0x7f, buf), "\\u007f"),
          "other control bytes and DEL as \\u00XX");
    CHECK_MSG(oci_json_escape('a', buf) == NULL && oci_json_escape('/', buf) == NULL &&
              oci_json_escape(0xc3, buf) == NULL,
          "printable and UTF-8 bytes stand for themselves");
    _cleanup_free_ char *q = oci_json_quote("k\n\x7f\"", 4);
    CHECK_MSG(streq(q, "\"k\\n\\u007f\\\"\""), "oci_json_quote");
    struct oci_json_writer *w = oci_json_writer_new(false);
    oci_json_write_string(w, "\b\x7f");
    _cleanup_error_ vd_error *err = NULL;
    _cleanup_free_ char *text = oci_json_writer_finish(w, NULL, &err);
    CHECK_MSG(streq(text, "\"\\u0008\\u007f\""), "the writer follows it");
}

static void test_writer_pretty(void)
{
    struct oci_json_writer *w = oci_json_writer_new(true);
    write_sample(w);
    _cleanup_error_ vd_error *err = NULL;
    _cleanup_free_ char *text = finish(w, &err);
    /* what Go's json.MarshalIndent(v, "", "  ") writes */
    const char *want = "{\n"
                       "  \"s\": \"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\",\n"
                       "  \"n\": -42,\n"
                       "  \"u\": 18446744073709551615,\n"
                       "  \"b\": true,\n"
                       "  \"z\": null,\n"
                       "  \"eo\": {},\n"
                       "  \"ea\": [],\n"
                       "  \"a\": [\n"
                       "    1,\n"
                       "    {\n"
                       "      \"k\": false\n"
                       "    }\n"
                       "  ]\n"
                       "}";
    CHECK_MSG(streq(text, want), "pretty form");
    if (text && !streq(text, want))
        fprintf(stderr, "got:\n%s\n", text);
}

static void test_writer_errors(void)
{
    _cleanup_error_ vd_error *err = NULL;

    struct oci_json_writer *w = oci_json_writer_new(false);
    oci_json_write_begin_object(w);
    oci_json_write_key(w, "bundle");
    oci_json_write_string(w, "/tmp/\xff");
    oci_json_write_end_object(w);
    CHECK_MSG(finish(w, &err) == NULL && err &&
              streq(err->msg, "write JSON: \"bundle\": not valid UTF-8"),
          "invalid UTF-8 names its key");
    vd_error_free(&err);

    w = oci_json_writer_new(false);
    oci_json_write_begin_array(w);
    oci_json_write_string(w, "\xc0\x80"); /* overlong NUL */
    oci_json_write_end_array(w);
    CHECK_MSG(finish(w, &err) == NULL && err &&
              streq(err->msg, "write JSON: a string is not valid UTF-8"),
          "overlong UTF-8 refused");
    vd_error_free(&err);

    w = oci_json_writer_new(false);
    oci_json_write_begin_object(w);
    oci_json_write_int(w, 1);
    oci_json_write_end_object(w);
    CHECK_MSG(finish(w, &err) == NULL && err &&
              streq(err->msg, "write JSON: an object member without a key"),
          "value without a key");
    vd_error_free(&err);

    w = oci_json_writer_new(false);
    oci_json_write_begin_array(w);
    CHECK_MSG(finish(w, &err) == NULL && err && streq(err->msg, "write JSON: unfinished value"),
          "unfinished array");
    vd_error_free(&err);

    w = oci_json_writer_new(false);
    oci_json_write_begin_array(w);
    oci_json_write_end_object(w);
    CHECK_MSG(finish(w, &err) == NULL && err &&
              streq(err->msg, "write JSON: unbalanced end of object"),
          "mismatched end");
    vd_error_free(&err);

    w = oci_json_writer_new(false);
    oci_json_write_int(w, 1);
    oci_json_write_int(w, 2);
    CHECK_MSG(finish(w, &err) == NULL && err &&
              streq(err->msg, "write JSON: a second top-level value"),
          "two top-level values");
    vd_error_free(&err);

    w = oci_json_writer_new(false);
    oci_json_write_key(w, "k");
    CHECK_MSG(finish(w, &err) == NULL && err &&
              streq(err->msg, "write JSON: key \"k\" where a value belongs"),
          "key at top level");
}

/* ---- state.json ----------------------------------------------------------- */

static struct oci_kv sample_annotations[] = {
    {(char *)"org.example/a", (char *)"1"},
    {(char *)"b", (char *)"two words"},
};

static const struct oci_state sample = {
    .oci_version = (char *)"1.3.0",
    .id = (char *)"web",
    .pid = 4242,
    .start_time = 123456789012ULL,
    .bundle = (char *)"/srv/bundles/web",
    .rootfs = (char *)"/srv/bundles/web/rootfs",
    .created = (char *)"2026-11-22T10:13:42.123456789Z",
    .owner = (char *)"",
    .own_pid_ns = true,
    .annotations = sample_annotations,
    .n_annotations = 2,
};

static void test_round_trip(const char *tmp)
{
    _cleanup_free_ char *dir = join(tmp, "rt");
    mkdir(dir, 0700);
    _cleanup_error_ vd_error *err = NULL;
    CHECK_MSG(oci_state_write(dir, &sample, &err) == 0 && err == NULL, "write state.json");

    _cleanup_free_ char *path = join(dir, "state.json");
    _cleanup_free_ char *tmp_path = join(dir, "state.json.tmp");
    struct stat st;
    CHECK_MSG(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600,
          "state.json is a 0600 file");
    CHECK_MSG(lstat(tmp_path, &st) < 0 && errno == ENOENT, "no temp file left");

    /* A second write replaces the first whole (and a stale temp file). */
    write_file(tmp_path, "junk", 4);
    struct oci_state changed = sample;
    changed.pid = 77;
    changed.resctrl_group = (char *)"/sys/fs/resctrl/gold";
    changed.resctrl_monitor = (char *)"/sys/fs/resctrl/gold/mon_groups/web";
    changed.hook_kinds_known = true;
    changed.hook_kinds = 1u << OCI_HOOK_PRESTART | 1u << OCI_HOOK_POSTSTOP;
    changed.has_seccomp_key = true;
    for (int i = 0; i < VD_SHA256_LEN; i++)
        changed.seccomp_key[i] = (uint8_t)(i * 37 + 5);
    CHECK_MSG(oci_state_write(dir, &changed, &err) == 0, "rewrite state.json");
    CHECK_MSG(lstat(tmp_path, &st) < 0 && errno == ENOENT, "stale temp file gone");

    _cleanup_state_ struct oci_state *s = NULL;
    CHECK_MSG(oci_state_read(dir, &s, &err) == 0 && s, "read state.json");
    if (s == NULL)
        return;
    CHECK_MSG(streq(s->oci_version, "1.3.0"), "ociVersion");
    CHECK_MSG(streq(s->id, "web"), "id");
    CHECK_MSG(s->pid == 77, "pid");
    CHECK_MSG(s->start_time == 123456789012ULL, "start time");
    CHECK_MSG(streq(s->bundle, "/srv/bundles/web"), "bundle");
    CHECK_MSG(streq(s->rootfs, "/srv/bundles/web/rootfs"), "rootfs");
    CHECK_MSG(streq(s->created, "2026-11-22T10:13:42.123456789Z"), "created");
    CHECK_MSG(streq(s->owner, ""), "owner");
    CHECK_MSG(s->own_pid_ns, "own pid ns");
    CHECK_MSG(s->n_annotations == 2 && streq(s->annotations[0].key, "org.example/a") &&
              streq(s->annotations[0].value, "1") && streq(s->annotations[1].key, "b") &&
              streq(s->annotations[1].value, "two words"),
          "annotations in order");
    CHECK_MSG(streq(s->resctrl_group, "/sys/fs/resctrl/gold") &&
              streq(s->resctrl_monitor, "/sys/fs/resctrl/gold/mon_groups/web") && !s->resctrl_own,
          "resctrl groups");
    CHECK_MSG(s->hook_kinds_known && s->hook_kinds == changed.hook_kinds &&
                  oci_state_may_have_hooks(s, OCI_HOOK_POSTSTOP) &&
                  !oci_state_may_have_hooks(s, OCI_HOOK_POSTSTART),
              "configHooks: the kinds of hooks, poststop and not poststart");
    CHECK_MSG(s->has_seccomp_key &&
                  memcmp(s->seccomp_key, changed.seccomp_key, VD_SHA256_LEN) == 0,
              "seccompKey: the key of the stored filter");

    /* Writing into a directory that is not there names it. */
    _cleanup_free_ char *missing = join(tmp, "missing");
    vd_error_free(&err);
    CHECK_MSG(oci_state_write(missing, &sample, &err) < 0 && err && err->errnum == ENOENT,
          "write into a missing dir fails");
}

static void test_to_json(void)
{
    _cleanup_error_ vd_error *err = NULL;
    _cleanup_free_ char *text = oci_state_to_json(&sample, "running", false, &err);
    CHECK_MSG(text != NULL, "to_json");
    _cleanup_json_ struct oci_json *root = NULL;
    CHECK_MSG(text && oci_json_parse(text, strlen(text), &root, &err) == 0, "to_json parses");
    if (root == NULL)
        return;
    int64_t pid = 0;
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "ociVersion"), NULL), "1.3.0"), "ociVersion");
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "id"), NULL), "web"), "id");
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "status"), NULL), "running"), "status");
    CHECK_MSG(oci_json_int64(oci_json_get(root, "pid"), &pid) == 0 && pid == 4242, "pid");
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "bundle"), NULL), "/srv/bundles/web"),
          "bundle");
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "rootfs"), NULL), "/srv/bundles/web/rootfs"),
          "rootfs");
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "created"), NULL),
                "2026-11-22T10:13:42.123456789Z"),
          "created");
    CHECK_MSG(streq(oci_json_string(oci_json_get(root, "owner"), NULL), ""), "owner");
    const struct oci_json *ann = oci_json_get(root, "annotations");
    CHECK_MSG(ann && oci_json_len(ann) == 2 &&
              streq(oci_json_string(oci_json_get(ann, "org.example/a"), NULL), "1"),
          "annotations");
    CHECK_MSG(oci_json_get(root, "startTime") == NULL && oci_json_get(root, "ownPidNs") == NULL,
          "internal fields not printed");
    CHECK_MSG(oci_json_len(root) == 9, "nine members");

    /* stopped: pid 0, as runc prints it */
    _cleanup_free_ char *stopped = oci_state_to_json(&sample, "stopped", false, &err);
    _cleanup_json_ struct oci_json *sroot = NULL;
    CHECK_MSG(stopped && oci_json_parse(stopped, strlen(stopped), &sroot, &err) == 0,
          "stopped parses");
    CHECK_MSG(sroot && oci_json_int64(oci_json_get(sroot, "pid"), &pid) == 0 && pid == 0,
          "stopped: pid 0");

    /* runc's layout, byte for byte; no annotations: no key */
    struct oci_state plain = sample;
    plain.n_annotations = 0;
    plain.annotations = NULL;
    _cleanup_free_ char *pretty = oci_state_to_json(&plain, "created", true, &err);
    const char *want = "{\n"
                       "  \"ociVersion\": \"1.3.0\",\n"
                       "  \"id\": \"web\",\n"
                       "  \"pid\": 4242,\n"
                       "  \"status\": \"created\",\n"
                       "  \"bundle\": \"/srv/bundles/web\",\n"
                       "  \"rootfs\": \"/srv/bundles/web/rootfs\",\n"
                       "  \"created\": \"2026-11-22T10:13:42.123456789Z\",\n"
                       "  \"owner\": \"\"\n"
                       "}";
    CHECK_MSG(streq(pretty, want), "pretty state as runc prints it");
    if (pretty && !streq(pretty, want))
        fprintf(stderr, "got:\n%s\n", pretty);

    /* a string that cannot be JSON is an error, not broken output */
    struct oci_state bad = plain;
    bad.bundle = (char *)"/srv/\xfe";
    vd_error_free(&err);
    CHECK_MSG(oci_state_to_json(&bad, "created", false, &err) == NULL && err &&
              streq(err->msg, "write JSON: \"bundle\": not valid UTF-8"),
          "non-UTF-8 bundle refused");
}

/* state.json holding `text` gives an error `read "<path>": <want>`. */
static void check_bad(const char *tmp, const char *name, const char *text, const char *want)
{
    _cleanup_free_ char *dir = join(tmp, name);
    mkdir(dir, 0700);
    _cleanup_free_ char *path = join(dir, "state.json");
    write_file(path, text, strlen(text));
    _cleanup_free_ char *expected = NULL;
    if (asprintf(&expected, "read \"%s\": %s", path, want) < 0)
        abort();

    _cleanup_error_ vd_error *err = NULL;
    struct oci_state *s = NULL;
    int r = oci_state_read(dir, &s, &err);
    CHECK_MSG(r < 0 && s == NULL && err && streq(err->msg, expected), name);
    if (err && !streq(err->msg, expected))
        fprintf(stderr, "  got:  %s\n  want: %s\n", err->msg, expected);
    oci_state_free(s);
}

#define GOOD_HEAD "{\"ociVersion\":\"1.3.0\",\"id\":\"x\","
#define GOOD_TAIL                                                                                 \
    "\"bundle\":\"/b\",\"rootfs\":\"/b/r\",\"created\":\"2026-01-01T00:00:00Z\",\"owner\":\"\"}"

static void test_bad_files(const char *tmp)
{
    check_bad(tmp, "malformed", "{\"id\": ",
              "invalid JSON: parse error: premature EOF (near line 1, column 8)");
    check_bad(tmp, "not-object", "[1]", "(root): expected an object");
    check_bad(tmp, "no-id",
              "{\"ociVersion\":\"1.3.0\",\"pid\":1,\"startTime\":1," GOOD_TAIL, "id: is required");
    check_bad(tmp, "empty-id",
              "{\"ociVersion\":\"1.3.0\",\"id\":\"\",\"pid\":1,\"startTime\":1," GOOD_TAIL,
              "id: must not be empty");
    check_bad(tmp, "id-number",
              "{\"ociVersion\":\"1.3.0\",\"id\":7,\"pid\":1,\"startTime\":1," GOOD_TAIL,
              "id: expected a string");
    check_bad(tmp, "pid-string", GOOD_HEAD "\"pid\":\"1\",\"startTime\":1," GOOD_TAIL,
              "pid: expected an integer");
    check_bad(tmp, "pid-negative", GOOD_HEAD "\"pid\":-1,\"startTime\":1," GOOD_TAIL,
              "pid: must be between 0 and 2147483647");
    check_bad(tmp, "pid-fraction", GOOD_HEAD "\"pid\":1.5,\"startTime\":1," GOOD_TAIL,
              "pid: expected an integer");
    check_bad(tmp, "no-start-time", GOOD_HEAD "\"pid\":1," GOOD_TAIL, "startTime: is required");
    check_bad(tmp, "own-pid-ns-string",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"ownPidNs\":\"yes\"," GOOD_TAIL,
              "ownPidNs: expected a boolean");
    check_bad(tmp, "annotation-number",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"annotations\":{\"a\":1}," GOOD_TAIL,
              "annotations.a: expected a string");
    check_bad(tmp, "duplicate-key", GOOD_HEAD "\"pid\":1,\"pid\":2,\"startTime\":1," GOOD_TAIL,
              "(root): duplicate key \"pid\"");
    check_bad(tmp, "hook-kind-unknown",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"configHooks\":[\"poststop\",\"later\"]," GOOD_TAIL,
              "configHooks: \"later\": not a hook kind");
    check_bad(tmp, "hook-kind-twice",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"configHooks\":[\"poststop\",\"poststop\"]," GOOD_TAIL,
              "configHooks: \"poststop\": given twice");
    check_bad(tmp, "seccomp-key-short",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"seccompKey\":\"00ff\"," GOOD_TAIL,
              "seccompKey: must be 64 lowercase hex digits");
    check_bad(tmp, "seccomp-key-upper",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"seccompKey\":"
                        "\"000000000000000000000000000000000000000000000000000000000000000A\","
                        GOOD_TAIL,
              "seccompKey: must be 64 lowercase hex digits");
    check_bad(tmp, "seccomp-key-number",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"seccompKey\":7," GOOD_TAIL,
              "seccompKey: must be 64 lowercase hex digits");
    check_bad(tmp, "no-bundle",
              GOOD_HEAD "\"pid\":1,\"startTime\":1,\"rootfs\":\"/r\",\"created\":\"c\"}",
              "bundle: is required");

    /* too large: refused before parsing */
    size_t big = OCI_STATE_MAX_SIZE + 2;
    _cleanup_free_ char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    check_bad(tmp, "too-large", huge, "file is larger than 1048576 bytes");

    /* the smallest good file: the optional members absent */
    _cleanup_free_ char *dir = join(tmp, "minimal");
    mkdir(dir, 0700);
    _cleanup_free_ char *path = join(dir, "state.json");
    const char *minimal = GOOD_HEAD "\"pid\":0,\"startTime\":0,\"bundle\":\"/b\",\"rootfs\":\"/r\","
                                    "\"created\":\"c\"}";
    write_file(path, minimal, strlen(minimal));
    _cleanup_error_ vd_error *err = NULL;
    _cleanup_state_ struct oci_state *s = NULL;
    CHECK_MSG(oci_state_read(dir, &s, &err) == 0 && s && streq(s->owner, "") && !s->own_pid_ns &&
              s->n_annotations == 0 && s->pid == 0,
          "minimal state.json");
    /* An older voidoci's state.json: the config copy may hold any hooks. */
    CHECK_MSG(s && !s->hook_kinds_known && oci_state_may_have_hooks(s, OCI_HOOK_POSTSTART) &&
                  oci_state_may_have_hooks(s, OCI_HOOK_POSTSTOP),
              "no configHooks: any hooks may be there");
    CHECK_MSG(s && !s->has_seccomp_key, "no seccompKey: exec reads the whole config copy");

    /* no file at all */
    _cleanup_free_ char *empty = join(tmp, "empty");
    mkdir(empty, 0700);
    _cleanup_free_ char *empty_path = join(empty, "state.json");
    _cleanup_free_ char *want = NULL;
    if (asprintf(&want, "open \"%s\": No such file or directory", empty_path) < 0)
        abort();
    vd_error_free(&err);
    struct oci_state *none = NULL;
    CHECK_MSG(oci_state_read(empty, &none, &err) == -ENOENT && none == NULL && err &&
              streq(err->msg, want),
          "missing state.json");
}

static int remove_tree(const char *path)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf -- '%s'", path) < 0)
        return -1;
    int r = system(cmd);
    free(cmd);
    return r;
}

int main(void)
{
    test_escape_rule();
    char tmp[] = "/tmp/voidoci-test-state-json.XXXXXX";
    if (mkdtemp(tmp) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    test_writer_compact();
    test_writer_pretty();
    test_writer_errors();
    test_round_trip(tmp);
    test_to_json();
    test_bad_files(tmp);

    remove_tree(tmp);
    return check_summary("test_state_json");
}
