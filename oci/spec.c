/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json into struct oci_spec: the top level, root and mounts here;
 * process and linux in spec_process.c and spec_linux.c.  Fields this
 * runtime does not know are ignored, as the runtime-spec asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/utsname.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "spec_internal.h"
#include "utils.h"

static void spec_freep(struct oci_spec **spec)
{
    oci_spec_free(*spec);
}
#define _cleanup_spec_ __attribute__((cleanup(spec_freep)))

/* The kernel's limit for both names: a longer one would fail
 * sethostname(2) with EINVAL in the child, and the error would echo the
 * whole name without saying which field it came from. */
#define UTS_NAME_MAX __NEW_UTS_LEN

static int parse_uts_name(vd_error **err, const struct oci_json *top, const char *key, char **out)
{
    const struct oci_json *v = spec_member(top, key);
    if (v == NULL)
        return 0;
    int r = spec_string(err, v, out);
    if (r == 0 && strlen(*out) > UTS_NAME_MAX)
        return spec_error(err, v, NULL, "is longer than %d bytes", UTS_NAME_MAX);
    return r;
}

static int parse_root(vd_error **err, const struct oci_json *top, struct oci_spec *spec)
{
    const struct oci_json *root, *path;
    int r = spec_require(err, top, "root", OCI_JSON_OBJECT, &root);
    if (r == 0 && (r = spec_require(err, root, "path", OCI_JSON_STRING, &path)) == 0)
        r = spec_string(err, path, &spec->root_path);
    if (r == 0 && spec->root_path[0] == '\0')
        r = spec_error(err, path, NULL, "must not be empty");
    if (r == 0)
        r = spec_opt_bool(err, root, "readonly", &spec->root_readonly);
    return r;
}

static int parse_mount(vd_error **err, const struct oci_json *v, void *items, size_t i)
{
    struct oci_mount *m = (struct oci_mount *)items + i;
    const struct oci_json *destination, *options, *maps;
    int r = spec_expect(err, v, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, v, "destination", OCI_JSON_STRING, &destination)) == 0)
        r = spec_absolute_path(err, destination, &m->destination);
    if (r == 0)
        r = spec_opt_string(err, v, "type", &m->type);
    if (r == 0)
        r = spec_opt_string(err, v, "source", &m->source);
    if (r == 0 && (options = spec_member(v, "options")))
        r = spec_strv(err, options, false, &m->options, &m->n_options);
    if (r == 0 && (maps = spec_member(v, "uidMappings")))
        r = spec_parse_id_mappings(err, maps, &m->uid_mappings, &m->n_uid_mappings);
    if (r == 0 && (maps = spec_member(v, "gidMappings")))
        r = spec_parse_id_mappings(err, maps, &m->gid_mappings, &m->n_gid_mappings);
    return r;
}

static int parse_mounts(vd_error **err, const struct oci_json *top, struct oci_spec *spec)
{
    const struct oci_json *mounts = spec_member(top, "mounts");
    if (mounts == NULL)
        return 0;
    return spec_array(err, mounts, sizeof(*spec->mounts), &spec->mounts, &spec->n_mounts,
                      parse_mount);
}

/* A SemVer 2.0.0 number: digits, no leading zero. */
static bool semver_number(const char **p, unsigned long *value)
{
    const char *s = *p;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || (n > 1 && s[0] == '0') || n > 9)
        return false;
    *value = strtoul(s, NULL, 10);
    *p = s + n;
    return true;
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-], up to the end. */
static bool semver_identifiers(const char *s)
{
    static const char ident[] = "0123456789abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ-";
    for (;;) {
        size_t n = strspn(s, ident);
        if (n == 0)
            return false;
        s += n;
        if (*s == '\0')
            return true;
        if (*s++ != '.')
            return false;
    }
}

static bool is_semver(const char *s, unsigned long *major)
{
    unsigned long minor, patch;
    if (!semver_number(&s, major) || *s++ != '.' || !semver_number(&s, &minor) ||
        *s++ != '.' || !semver_number(&s, &patch))
        return false;
    const char *build = strchr(s, '+');
    if (build && !semver_identifiers(build + 1))
        return false;
    if (*s == '-') {
        _cleanup_free_ char *pre = strndup(s + 1, build ? (size_t)(build - s - 1) : strlen(s + 1));
        return pre && semver_identifiers(pre);
    }
    return s == build || *s == '\0';
}

/* config.md: ociVersion MUST be SemVer; a major version other than 1 is a
 * format this runtime does not know. */
static int parse_oci_version(vd_error **err, const struct oci_json *v, struct oci_spec *spec)
{
    int r = spec_string(err, v, &spec->oci_version);
    unsigned long major;
    if (r == 0 && !is_semver(spec->oci_version, &major))
        return spec_error_value(err, v, "not a SemVer 2.0.0 version:", spec->oci_version);
    if (r == 0 && major != 1)
        return spec_error(err, v, NULL, "version \"%s\" is not supported: this runtime implements "
                          "runtime-spec 1.x, up to " OCI_SPEC_VERSION, spec->oci_version);
    return r;
}

static int parse_top(vd_error **err, const struct oci_json *top, struct oci_spec *spec)
{
    const struct oci_json *v;
    int r = spec_expect(err, top, OCI_JSON_OBJECT);
    if (r == 0 && (r = spec_require(err, top, "ociVersion", OCI_JSON_STRING, &v)) == 0)
        r = parse_oci_version(err, v, spec);
    if (r == 0)
        r = parse_root(err, top, spec);
    if (r == 0)
        r = parse_mounts(err, top, spec);
    if (r == 0 && (v = spec_member(top, "process")))
        r = spec_parse_process(err, v, true, &spec->process);
    if (r == 0)
        r = parse_uts_name(err, top, "hostname", &spec->hostname);
    if (r == 0)
        r = parse_uts_name(err, top, "domainname", &spec->domainname);
    if (r == 0 && (v = spec_member(top, "linux")))
        r = spec_parse_linux(err, v, &spec->linux_);
    if (r == 0 && (v = spec_member(top, "annotations")))
        r = spec_string_map(err, v, &spec->annotations, &spec->n_annotations);
    if (r == 0 && (v = spec_member(top, "hooks")))
        r = spec_parse_hooks(err, v, spec);
    return r;
}

/* linux.seccomp.syscalls: the rules of the seccomp profile. */
static const char *const seccomp_rules[] = {"linux", "seccomp", "syscalls", NULL};

static int parse_spec(const char *text, size_t len, bool without_seccomp_rules,
                      struct oci_spec **out, vd_error **err)
{
    _cleanup_json_ struct oci_json *top = NULL;
    int r = oci_json_parse_without(text, len, without_seccomp_rules ? seccomp_rules : NULL,
                                   &top, err);
    if (r < 0)
        return r;
    _cleanup_spec_ struct oci_spec *spec = calloc(1, sizeof(*spec));
    if (spec == NULL)
        return spec_oom(err);
    r = parse_top(err, top, spec);
    if (r < 0)
        return r;
    if (without_seccomp_rules && spec->linux_ && spec->linux_->seccomp)
        spec->linux_->seccomp->rules_left_out = true;
    *out = steal_pointer(&spec);
    return 0;
}

int oci_spec_parse(const char *text, size_t len, struct oci_spec **out, vd_error **err)
{
    return parse_spec(text, len, false, out, err);
}

static int too_large(vd_error **err)
{
    return vd_error_set(err, 0, "file is larger than %u bytes", OCI_SPEC_MAX_SIZE);
}

/* Read at most OCI_SPEC_MAX_SIZE bytes.  st_size is only a hint (it is 0
 * for /proc files and pipes); the limit holds on the bytes actually read. */
static int read_limited(int fd, const char *path, char **out, size_t *len, vd_error **err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return vd_error_set(err, errno, "stat \"%s\"", path);
    if (S_ISREG(st.st_mode) && st.st_size > (off_t)OCI_SPEC_MAX_SIZE)
        return too_large(err);
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, n = 0;
    _cleanup_free_ char *buf = malloc(cap);
    if (buf == NULL)
        return vd_error_set(err, ENOMEM, "read \"%s\"", path);
    for (;;) {
        if (n == cap) {
            cap = cap * 2 > OCI_SPEC_MAX_SIZE + 1 ? OCI_SPEC_MAX_SIZE + 1 : cap * 2;
            char *bigger = realloc(buf, cap);
            if (bigger == NULL)
                return vd_error_set(err, ENOMEM, "read \"%s\"", path);
            buf = bigger;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vd_error_set(err, errno, "read \"%s\"", path);
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > OCI_SPEC_MAX_SIZE)
            return too_large(err);
    }
    *out = steal_pointer(&buf);
    *len = n;
    return 0;
}

static int read_file(const char *path, char **text, size_t *len, vd_error **err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    return read_limited(fd, path, text, len, err);
}

static int load(const char *path, bool without_seccomp_rules, struct oci_spec **out,
                vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_file(path, &text, &len, err);
    if (r < 0)
        return r;
    return parse_spec(text, len, without_seccomp_rules, out, err);
}

static int load_process(const char *path, struct oci_process **out, vd_error **err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = read_file(path, &text, &len, err);
    if (r < 0)
        return r;
    _cleanup_json_ struct oci_json *top = NULL;
    if ((r = oci_json_parse(text, len, &top, err)) < 0)
        return r;
    return spec_parse_process(err, top, false, out);
}

int oci_process_load(const char *path, struct oci_process **out, vd_error **err)
{
    int r = load_process(path, out, err);
    if (r < 0) {
        const char *slash = strrchr(path, '/');
        vd_error_prefix(err, "%s", slash && slash[1] ? slash + 1 : path);
    }
    return r;
}

void oci_process_free(struct oci_process *p)
{
    spec_process_free(p);
}

int oci_spec_load(const char *path, struct oci_spec **out, vd_error **err)
{
    int r = load(path, false, out, err);
    if (r < 0)
        vd_error_prefix(err, "config.json");
    return r;
}

int oci_spec_load_without_seccomp_rules(const char *path, struct oci_spec **out,
                                        vd_error **err)
{
    int r = load(path, true, out, err);
    if (r < 0)
        vd_error_prefix(err, "config.json");
    return r;
}

static void mount_free(struct oci_mount *m)
{
    free(m->destination);
    free(m->type);
    free(m->source);
    spec_strv_free(m->options);
    free(m->uid_mappings);
    free(m->gid_mappings);
}

void oci_spec_free(struct oci_spec *spec)
{
    if (spec == NULL)
        return;
    free(spec->oci_version);
    free(spec->root_path);
    for (size_t i = 0; i < spec->n_mounts; i++)
        mount_free(&spec->mounts[i]);
    free(spec->mounts);
    spec_process_free(spec->process);
    free(spec->hostname);
    free(spec->domainname);
    spec_linux_free(spec->linux_);
    spec_kv_free(spec->annotations, spec->n_annotations);
    spec_hooks_free(spec);
    free(spec);
}
