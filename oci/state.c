/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.json: written whole and renamed into place, so a reader sees the old
 * file or the new one, never half of one; read back as strictly as
 * config.json, with errors that name the file and the field.
 *
 * The file holds the runtime-spec state (less `status`, which is derived
 * from the live process every time) and keys of our own (`startTime`,
 * `ownPidNs`, `cgroupDirs`, `configHooks`, ...) that the printed state leaves
 * out.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "spec_internal.h"
#include "state.h"
#include "utils.h"

#define STATE_FILE "state.json"
#define STATE_TMP_FILE "state.json.tmp"

#define KEY_START_TIME "startTime"
#define KEY_OWN_PID_NS "ownPidNs"
#define KEY_CGROUP_DIRS "cgroupDirs"
#define KEY_RESCTRL_GROUP "resctrlGroup"
#define KEY_RESCTRL_MONITOR "resctrlMonitor"
#define KEY_RESCTRL_OWN "resctrlOwnGroup"
#define KEY_ROOTFS_MOUNT_BELOW "rootfsMountBelow"
#define KEY_CONFIG_HOOKS "configHooks"
#define KEY_SECCOMP_KEY "seccompKey"

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void write_resctrl(struct oci_json_writer *w, const struct oci_state *s)
{
    if (s->resctrl_group == NULL)
        return;
    oci_json_write_key(w, KEY_RESCTRL_GROUP);
    oci_json_write_string(w, s->resctrl_group);
    if (s->resctrl_monitor) {
        oci_json_write_key(w, KEY_RESCTRL_MONITOR);
        oci_json_write_string(w, s->resctrl_monitor);
    }
    oci_json_write_key(w, KEY_RESCTRL_OWN);
    oci_json_write_bool(w, s->resctrl_own);
}

bool oci_state_may_have_hooks(const struct oci_state *s, enum oci_hook_kind kind)
{
    return !s->hook_kinds_known || (s->hook_kinds & (1u << kind));
}

void oci_state_set_hook_kinds(struct oci_state *s, const struct oci_spec *spec)
{
    s->hook_kinds_known = true;
    s->hook_kinds = 0;
    for (int kind = 0; kind < OCI_HOOK_KIND_COUNT; kind++)
        if (spec->n_hooks[kind])
            s->hook_kinds |= 1u << kind;
}

static void write_seccomp_key(struct oci_json_writer *w, const struct oci_state *s)
{
    if (!s->has_seccomp_key)
        return;
    static const char digits[] = "0123456789abcdef";
    char hex[2 * VD_SHA256_LEN + 1];
    for (size_t i = 0; i < VD_SHA256_LEN; i++) {
        hex[2 * i] = digits[s->seccomp_key[i] >> 4];
        hex[2 * i + 1] = digits[s->seccomp_key[i] & 15];
    }
    hex[2 * VD_SHA256_LEN] = '\0';
    oci_json_write_key(w, KEY_SECCOMP_KEY);
    oci_json_write_string(w, hex);
}

static void write_hook_kinds(struct oci_json_writer *w, const struct oci_state *s)
{
    if (!s->hook_kinds_known)
        return;
    oci_json_write_key(w, KEY_CONFIG_HOOKS);
    oci_json_write_begin_array(w);
    for (int kind = 0; kind < OCI_HOOK_KIND_COUNT; kind++)
        if (s->hook_kinds & (1u << kind))
            oci_json_write_string(w, oci_hook_kind_name(kind));
    oci_json_write_end_array(w);
}

/* The members in runc's order (its containerState struct), so that the two
 * outputs can be diffed.  status NULL: the file's form, with our own keys. */
static void write_state(struct oci_json_writer *w, const struct oci_state *s, const char *status)
{
    bool stopped = status && strcmp(status, "stopped") == 0;

    oci_json_write_begin_object(w);
    oci_json_write_key(w, "ociVersion");
    oci_json_write_string(w, or_empty(s->oci_version));
    oci_json_write_key(w, "id");
    oci_json_write_string(w, or_empty(s->id));
    /* runc prints 0 for a stopped container: its pid may be someone else's by now */
    oci_json_write_key(w, "pid");
    oci_json_write_int(w, stopped ? 0 : s->pid);
    if (status) {
        oci_json_write_key(w, "status");
        oci_json_write_string(w, status);
    }
    oci_json_write_key(w, "bundle");
    oci_json_write_string(w, or_empty(s->bundle));
    oci_json_write_key(w, "rootfs");
    oci_json_write_string(w, or_empty(s->rootfs));
    oci_json_write_key(w, "created");
    oci_json_write_string(w, or_empty(s->created));
    if (s->n_annotations > 0) {
        oci_json_write_key(w, "annotations");
        oci_json_write_begin_object(w);
        for (size_t i = 0; i < s->n_annotations; i++) {
            oci_json_write_key(w, s->annotations[i].key);
            oci_json_write_string(w, or_empty(s->annotations[i].value));
        }
        oci_json_write_end_object(w);
    }
    oci_json_write_key(w, "owner");
    oci_json_write_string(w, or_empty(s->owner));
    if (status == NULL) {
        oci_json_write_key(w, KEY_START_TIME);
        oci_json_write_uint(w, s->start_time);
        oci_json_write_key(w, KEY_OWN_PID_NS);
        oci_json_write_bool(w, s->own_pid_ns);
        if (s->n_cgroup_dirs) {
            oci_json_write_key(w, KEY_CGROUP_DIRS);
            oci_json_write_begin_array(w);
            for (size_t i = 0; i < s->n_cgroup_dirs; i++)
                oci_json_write_string(w, s->cgroup_dirs[i]);
            oci_json_write_end_array(w);
        }
        write_resctrl(w, s);
        if (s->host_mounts) {
            oci_json_write_key(w, KEY_ROOTFS_MOUNT_BELOW);
            oci_json_write_uint(w, s->rootfs_mount_below);
        }
        write_hook_kinds(w, s);
        write_seccomp_key(w, s);
    }
    oci_json_write_end_object(w);
}

static char *render(const struct oci_state *s, const char *status, bool pretty, size_t *len,
                    vd_error **err)
{
    struct oci_json_writer *w = oci_json_writer_new(pretty);
    if (w == NULL) {
        vd_error_set(err, ENOMEM, "write JSON");
        return NULL;
    }
    write_state(w, s, status);
    return oci_json_writer_finish(w, len, err);
}

void oci_state_write_object(struct oci_json_writer *w, const struct oci_state *s,
                            const char *status)
{
    write_state(w, s, status);
}

char *oci_state_to_json(const struct oci_state *s, const char *status, bool pretty,
                        vd_error **err)
{
    return render(s, status, pretty, NULL, err);
}


/* The text with a newline, into dfd/STATE_TMP_FILE, then over STATE_FILE. */
static int replace_file(int dfd, const char *text, size_t len)
{
    /* Only a write that died half-way leaves one; its mode may not be ours. */
    if (unlinkat(dfd, STATE_TMP_FILE, 0) < 0 && errno != ENOENT)
        return -errno;
    _cleanup_close_ int fd = openat(dfd, STATE_TMP_FILE,
                                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    int r = vd_write_all(fd, text, len);
    if (r == 0)
        r = vd_write_all(fd, "\n", 1);
    if (r == 0 && close(steal_fd(&fd)) < 0)
        r = -errno;
    if (r == 0 && renameat(dfd, STATE_TMP_FILE, dfd, STATE_FILE) < 0)
        r = -errno;
    if (r < 0)
        unlinkat(dfd, STATE_TMP_FILE, 0);
    return r;
}

int oci_state_write(const char *dir, const struct oci_state *s, vd_error **err)
{
    size_t len = 0;
    _cleanup_free_ char *text = render(s, NULL, false, &len, err);
    if (text == NULL)
        return vd_error_prefix(err, "write \"%s/%s\"", dir, STATE_FILE);

    _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return vd_error_set(err, errno, "open \"%s\"", dir);
    int r = replace_file(dfd, text, len);
    if (r < 0)
        return vd_error_set(err, -r, "write \"%s/%s\"", dir, STATE_FILE);
    return 0;
}

/* At most OCI_STATE_MAX_SIZE bytes; the limit holds on the bytes read, not
 * on st_size. */
static int read_limited(int fd, char **out, size_t *len, vd_error **err)
{
    size_t cap = 4096, n = 0;
    _cleanup_free_ char *buf = malloc(cap);
    if (buf == NULL)
        return vd_error_set(err, ENOMEM, "read");
    for (;;) {
        if (n == cap) {
            cap = cap * 2 > OCI_STATE_MAX_SIZE + 1 ? OCI_STATE_MAX_SIZE + 1 : cap * 2;
            char *bigger = realloc(buf, cap);
            if (bigger == NULL)
                return vd_error_set(err, ENOMEM, "read");
            buf = bigger;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vd_error_set(err, errno, "read");
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > OCI_STATE_MAX_SIZE)
            return vd_error_set(err, 0, "file is larger than %u bytes", OCI_STATE_MAX_SIZE);
    }
    *out = steal_pointer(&buf);
    *len = n;
    return 0;
}

static int required_string(vd_error **err, const struct oci_json *top, const char *key,
                           char **out)
{
    const struct oci_json *v;
    int r = spec_require(err, top, key, OCI_JSON_STRING, &v);
    return r < 0 ? r : spec_string(err, v, out);
}

/* configHooks: names of hook kinds, each known and given once. */
static int parse_hook_kinds(vd_error **err, const struct oci_json *v, struct oci_state *s)
{
    char **names = NULL;
    size_t n = 0;
    int r = spec_strv(err, v, false, &names, &n);
    for (size_t i = 0; r == 0 && i < n; i++) {
        int kind = 0;
        while (kind < OCI_HOOK_KIND_COUNT && strcmp(names[i], oci_hook_kind_name(kind)) != 0)
            kind++;
        if (kind == OCI_HOOK_KIND_COUNT || (s->hook_kinds & (1u << kind)))
            r = spec_error(err, v, NULL, "\"%s\": %s", names[i],
                           kind == OCI_HOOK_KIND_COUNT ? "not a hook kind" : "given twice");
        else
            s->hook_kinds |= 1u << kind;
    }
    spec_strv_free(names);
    s->hook_kinds_known = r == 0;
    return r;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* seccompKey: 64 lowercase hex digits. */
static int parse_seccomp_key(vd_error **err, const struct oci_json *v, struct oci_state *s)
{
    size_t len = 0;
    const char *hex = oci_json_string(v, &len);
    bool ok = hex && len == 2 * VD_SHA256_LEN;
    for (size_t i = 0; ok && i < VD_SHA256_LEN; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        s->seccomp_key[i] = (uint8_t)(hi << 4 | lo);
    }
    if (!ok)
        return spec_error(err, v, NULL, "must be %d lowercase hex digits", 2 * VD_SHA256_LEN);
    s->has_seccomp_key = true;
    return 0;
}

static int parse_state(vd_error **err, const struct oci_json *top, struct oci_state *s)
{
    const struct oci_json *v;
    int r = spec_expect(err, top, OCI_JSON_OBJECT);
    if (r == 0)
        r = required_string(err, top, "ociVersion", &s->oci_version);
    if (r == 0)
        r = required_string(err, top, "id", &s->id);
    if (r == 0 && s->id[0] == '\0')
        r = spec_error(err, top, "id", "must not be empty");
    if (r == 0)
        r = spec_require(err, top, "pid", OCI_JSON_NUMBER, &v);
    if (r == 0) {
        int pid = 0;
        r = spec_int_between(err, v, 0, INT_MAX, &pid);
        s->pid = pid;
    }
    if (r == 0)
        r = spec_require(err, top, KEY_START_TIME, OCI_JSON_NUMBER, &v);
    if (r == 0)
        r = spec_uint64(err, v, &s->start_time);
    if (r == 0)
        r = required_string(err, top, "bundle", &s->bundle);
    if (r == 0)
        r = required_string(err, top, "rootfs", &s->rootfs);
    if (r == 0)
        r = required_string(err, top, "created", &s->created);
    if (r == 0)
        r = spec_opt_string(err, top, "owner", &s->owner);
    if (r == 0)
        r = spec_opt_bool(err, top, KEY_OWN_PID_NS, &s->own_pid_ns);
    if (r == 0 && (v = spec_member(top, KEY_CGROUP_DIRS)) != NULL)
        r = spec_strv(err, v, true, &s->cgroup_dirs, &s->n_cgroup_dirs);
    if (r == 0)
        r = spec_opt_string(err, top, KEY_RESCTRL_GROUP, &s->resctrl_group);
    if (r == 0)
        r = spec_opt_string(err, top, KEY_RESCTRL_MONITOR, &s->resctrl_monitor);
    if (r == 0)
        r = spec_opt_bool(err, top, KEY_RESCTRL_OWN, &s->resctrl_own);
    if (r == 0 && (v = spec_member(top, KEY_ROOTFS_MOUNT_BELOW)) != NULL) {
        s->host_mounts = true;
        r = spec_uint64(err, v, &s->rootfs_mount_below);
    }
    if (r == 0 && (v = spec_member(top, KEY_CONFIG_HOOKS)) != NULL)
        r = parse_hook_kinds(err, v, s);
    if (r == 0 && (v = spec_member(top, KEY_SECCOMP_KEY)) != NULL)
        r = parse_seccomp_key(err, v, s);
    if (r == 0 && (v = spec_member(top, "annotations")) != NULL)
        r = spec_string_map(err, v, &s->annotations, &s->n_annotations);
    if (r == 0 && s->owner == NULL && (s->owner = strdup("")) == NULL)
        r = spec_oom(err);
    return r;
}

int oci_state_parse(const char *text, size_t len, struct oci_state **out, vd_error **err)
{
    _cleanup_json_ struct oci_json *top = NULL;
    struct oci_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return vd_error_set(err, ENOMEM, "parse state");
    int r = oci_json_parse(text, len, &top, err);
    if (r == 0)
        r = parse_state(err, top, s);
    if (r < 0) {
        oci_state_free(s);
        return r;
    }
    *out = s;
    return 0;
}

static int read_state(const char *path, struct oci_state **out, vd_error **err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_limited(fd, &text, &len, err);
    if (r < 0)
        return vd_error_prefix(err, "read \"%s\"", path);

    if (oci_state_parse(text, len, out, err) < 0)
        return vd_error_prefix(err, "read \"%s\"", path);
    return 0;
}

int oci_state_read(const char *dir, struct oci_state **out, vd_error **err)
{
    _cleanup_free_ char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, STATE_FILE) < 0) {
        path = NULL;
        return vd_error_set(err, ENOMEM, "read state");
    }
    return read_state(path, out, err);
}

void oci_state_free(struct oci_state *s)
{
    if (s == NULL)
        return;
    free(s->oci_version);
    free(s->id);
    free(s->bundle);
    free(s->rootfs);
    free(s->created);
    free(s->owner);
    spec_kv_free(s->annotations, s->n_annotations);
    spec_strv_free(s->cgroup_dirs);
    free(s->resctrl_group);
    free(s->resctrl_monitor);
    free(s);
}
