/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json "mounts" -> struct vd_mount.  Each option word runc accepts
 * becomes a mount(2) flag, an attribute of the whole tree (the "r" words,
 * through mount_setattr(2)), a propagation, an idmap or a copy-up.  Any
 * other word is filesystem data, which a bind mount does not take: there
 * it is dropped, as mount(2) would drop it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "translate.h"
#include "utils.h"

struct mount_flag {
    const char *name;
    bool clear;
    unsigned long flag;
};

/* The mount(8) words runc accepts. */
static const struct mount_flag mount_flags[] = {
    {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},          {"defaults", false, 0},
    {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION}, {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},         {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME}, {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION}, {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},     {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME}, {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW}, {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},      {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},         {"symfollow", true, MS_NOSYMFOLLOW},
    {"sync", false, MS_SYNCHRONOUS},
};

/* Per-mount flags a bind keeps from its source unless turned off. */
#define BIND_KEPT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_NOSYMFOLLOW)

/* The recursive words: attributes of the mount and every mount under it. */
static const struct {
    const char *name;
    bool clear;
    uint64_t attr;
} tree_attrs[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},         {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},     {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},       {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},     {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

/* The atime of a tree is one of three values, not a flag to clear: "not
 * noatime" and "not strictatime" are the kernel's default, relatime; "not
 * relatime" is strictatime, as mount(8) reads norelatime. */
static const struct {
    const char *name;
    uint64_t atime;
} tree_atimes[] = {
    {"rnoatime", MOUNT_ATTR_NOATIME},   {"rstrictatime", MOUNT_ATTR_STRICTATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME}, {"ratime", MOUNT_ATTR_RELATIME},
    {"rnostrictatime", MOUNT_ATTR_RELATIME}, {"rnorelatime", MOUNT_ATTR_STRICTATIME},
};

static const struct {
    const char *name;
    unsigned long flags;
} propagations[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static const char *const other_options[] = {"idmap", "ridmap", "tmpcopyup"};

int oci_propagation_flags(const char *name, unsigned long *flags)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(propagations); i++) {
        if (strcmp(propagations[i].name, name) == 0) {
            *flags = propagations[i].flags;
            return 0;
        }
    }
    return -1;
}

/* For `features`: the i-th option name this build honours, NULL past the
 * end.  Options not listed here go to the filesystem as mount data. */
const char *oci_mount_option_at(size_t i)
{
    if (i < VD_ARRAY_SIZE(mount_flags))
        return mount_flags[i].name;
    i -= VD_ARRAY_SIZE(mount_flags);
    if (i < VD_ARRAY_SIZE(tree_attrs))
        return tree_attrs[i].name;
    i -= VD_ARRAY_SIZE(tree_attrs);
    if (i < VD_ARRAY_SIZE(tree_atimes))
        return tree_atimes[i].name;
    i -= VD_ARRAY_SIZE(tree_atimes);
    if (i < VD_ARRAY_SIZE(propagations))
        return propagations[i].name;
    i -= VD_ARRAY_SIZE(propagations);
    if (i < VD_ARRAY_SIZE(other_options))
        return other_options[i];
    return NULL;
}

/* What the option words of one mount add up to. */
struct mount_words {
    struct vd_mount m;
    char *data;
    size_t idmap_at, copy_up_at; /* index of the word, for errors */
};

static int append_data(char **data, const char *opt, vd_error **err)
{
    size_t old = *data ? strlen(*data) : 0;
    char *grown = realloc(*data, old + strlen(opt) + 2);
    if (grown == NULL)
        return vd_error_set(err, ENOMEM, "mount data");
    if (old)
        grown[old++] = ',';
    strcpy(grown + old, opt);
    *data = grown;
    return 0;
}

static bool mount_flag_word(const char *opt, struct vd_mount *m)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(mount_flags); i++) {
        const struct mount_flag *f = &mount_flags[i];
        if (strcmp(f->name, opt) != 0)
            continue;
        if (f->clear) {
            m->flags &= ~f->flag;
            m->clear_flags |= f->flag & BIND_KEPT_FLAGS;
        } else {
            m->flags |= f->flag;
            m->clear_flags &= ~f->flag;
        }
        return true;
    }
    return false;
}

/* A later word wins over an earlier one ("rro", "rrw": read-write). */
static bool tree_word(const char *opt, struct vd_mount *m)
{
    for (size_t i = 0; i < VD_ARRAY_SIZE(tree_attrs); i++) {
        if (strcmp(tree_attrs[i].name, opt) != 0)
            continue;
        uint64_t a = tree_attrs[i].attr;
        if (tree_attrs[i].clear) {
            m->attr_set &= ~a;
            m->attr_clr |= a;
        } else {
            m->attr_set |= a;
            m->attr_clr &= ~a;
        }
        return true;
    }
    for (size_t i = 0; i < VD_ARRAY_SIZE(tree_atimes); i++) {
        if (strcmp(tree_atimes[i].name, opt) != 0)
            continue;
        /* mount_setattr(2): an atime value is set with the whole atime
         * mask cleared. */
        m->attr_set = (m->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | tree_atimes[i].atime;
        m->attr_clr |= MOUNT_ATTR__ATIME;
        return true;
    }
    return false;
}

static int read_word(const char *opt, size_t i, struct mount_words *w, vd_error **err)
{
    unsigned long prop;
    if (mount_flag_word(opt, &w->m) || tree_word(opt, &w->m))
        return 0;
    if (oci_propagation_flags(opt, &prop) == 0) {
        w->m.propagation = prop;
    } else if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0) {
        w->m.idmap = true;
        w->m.idmap_recursive = opt[0] == 'r';
        w->idmap_at = i;
    } else if (strcmp(opt, "tmpcopyup") == 0) {
        w->m.copy_up = true;
        w->copy_up_at = i;
    } else {
        return append_data(&w->data, opt, err);
    }
    return 0;
}

static bool user_ns_is_new(const struct oci_linux *lx)
{
    for (size_t i = 0; lx && i < lx->n_namespaces; i++)
        if (lx->namespaces[i].ns == VD_NS_USER && lx->namespaces[i].path == NULL)
            return true;
    return false;
}

/* runtime-spec: an idmap without maps of its own takes the container's
 * user namespace maps; without those there is nothing to map with. */
static int idmap_ranges(const struct oci_mount *om, size_t index, const struct oci_linux *lx,
                        struct mount_words *w, vd_error **err)
{
    const struct oci_id_mapping *uids = om->uid_mappings, *gids = om->gid_mappings;
    size_t n_uids = om->n_uid_mappings, n_gids = om->n_gid_mappings;
    if (!w->m.idmap) {
        if (n_uids || n_gids)
            return vd_error_set(err, 0, "mounts[%zu].%s: needs the \"idmap\" or \"ridmap\" "
                                "option", index, n_uids ? "uidMappings" : "gidMappings");
        return 0;
    }
    if (!(w->m.flags & MS_BIND))
        return vd_error_set(err, 0, "mounts[%zu].options[%zu]: \"%s\" is only for a bind mount",
                            index, w->idmap_at, om->options[w->idmap_at]);
    if (n_uids == 0 && n_gids == 0 && user_ns_is_new(lx) && lx->n_uid_mappings &&
        lx->n_gid_mappings) {
        uids = lx->uid_mappings;
        n_uids = lx->n_uid_mappings;
        gids = lx->gid_mappings;
        n_gids = lx->n_gid_mappings;
    }
    if (n_uids == 0 || n_gids == 0)
        return vd_error_set(err, 0, "mounts[%zu].%s: \"%s\" needs uidMappings and gidMappings "
                            "(or a new user namespace with its own)", index,
                            n_uids ? "gidMappings" : "uidMappings", om->options[w->idmap_at]);
    /* struct oci_id_mapping and struct vd_id_range are the same three
     * uint32_t, in the same order. */
    _Static_assert(sizeof(struct oci_id_mapping) == sizeof(struct vd_id_range),
                   "id range layouts differ");
    w->m.idmap_uids = (const struct vd_id_range *)uids;
    w->m.n_idmap_uids = n_uids;
    w->m.idmap_gids = (const struct vd_id_range *)gids;
    w->m.n_idmap_gids = n_gids;
    return 0;
}

static bool takes_context(const char *fstype)
{
    static const char *const no_context[] = {"proc", "sysfs", "cgroup", "cgroup2", "bind"};
    if (fstype == NULL)
        return false;
    for (size_t i = 0; i < VD_ARRAY_SIZE(no_context); i++)
        if (strcmp(fstype, no_context[i]) == 0)
            return false;
    return true;
}

static int check_words(const struct oci_mount *om, size_t index, const struct oci_spec *spec,
                       struct mount_words *w, vd_error **err)
{
    if (w->m.flags & MS_BIND) {
        if (om->source == NULL)
            return vd_error_set(err, 0, "mounts[%zu].source: is required for a bind mount",
                                index);
        /* mount(2) ignores the data of a bind, and real configs carry
         * some ("mode=755" on a bind of /dev): runc takes them, so do we. */
        free(w->data);
        w->data = NULL;
    }
    if (w->m.copy_up && (om->type == NULL || strcmp(om->type, "tmpfs") != 0))
        return vd_error_set(err, 0, "mounts[%zu].options[%zu]: \"tmpcopyup\" is only for a "
                            "tmpfs mount", index, w->copy_up_at);
    if (idmap_ranges(om, index, spec->linux_, w, err) < 0)
        return -1;
    /* linux.mountLabel: SELinux's context= option, which only SELinux
     * reads; where SELinux is off it is a no-op, as with crun. */
    const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
    if (label && label[0] && !(w->m.flags & MS_BIND) && takes_context(om->type) &&
        vd_selinux_enabled()) {
        _cleanup_free_ char *context = NULL;
        if (asprintf(&context, "context=\"%s\"", label) < 0)
            return vd_error_set(err, ENOMEM, "mounts[%zu]", index);
        if (append_data(&w->data, context, err) < 0)
            return -1;
    }
    return 0;
}

/* config.md: a bind mount's relative source is relative to the bundle,
 * wherever the runtime was started from. */
static int bind_source(const struct oci_mount *om, const char *bundle, size_t index,
                       char **out, vd_error **err)
{
    *out = NULL;
    if (om->source == NULL || om->source[0] == '/' || bundle == NULL)
        return 0;
    if (asprintf(out, "%s/%s", bundle, om->source) < 0) {
        *out = NULL;
        return vd_error_set(err, ENOMEM, "mounts[%zu].source", index);
    }
    return 0;
}

static int translate_mount(const struct oci_spec *spec, const char *bundle, size_t index,
                           vd_builder *b, vd_error **err)
{
    const struct oci_mount *om = &spec->mounts[index];
    struct mount_words w = {.m = {.source = om->source, .destination = om->destination,
                                  .fstype = om->type}};
    _cleanup_free_ char *source = NULL;
    /* The child names a mount that fails by this label: it carries the
     * file too, as the errors of the parent's checks do (create.c). */
    char label[48];
    snprintf(label, sizeof(label), "config.json: mounts[%zu]", index);
    w.m.label = label;
    int r = 0;
    for (size_t i = 0; i < om->n_options && r == 0; i++)
        r = read_word(om->options[i], i, &w, err);
    if (om->type && strcmp(om->type, "bind") == 0)
        w.m.flags |= MS_BIND;
    if (r == 0)
        r = check_words(om, index, spec, &w, err);
    if (r == 0 && (w.m.flags & MS_BIND) && (r = bind_source(om, bundle, index, &source, err)) == 0 &&
        source)
        w.m.source = source;
    w.m.data = w.data;
    if (r == 0 && vd_builder_add_mount(b, &w.m, err) < 0)
        r = vd_error_prefix(err, "mounts[%zu]", index);
    free(w.data);
    return r;
}

int oci_translate_mounts(const struct oci_spec *spec, const char *bundle, vd_builder *b,
                         vd_error **err)
{
    for (size_t i = 0; i < spec->n_mounts; i++)
        if (translate_mount(spec, bundle, i, b, err) < 0)
            return -1;
    return 0;
}
