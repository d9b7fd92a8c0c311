/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json "mounts" -> builder (oci/translate_mounts.c): what each
 * option word turns into (mount flags, flags a bind must not keep from its
 * source, recursive attributes, idmaps, copy-up), and the exact error for
 * each refusal.  The builder is read through libvoid's internal layout.
 *
 * Test documents use ' for " so they stay readable; dequote() swaps them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "internal.h"
#include "spec.h"
#include "translate.h"
#include "check.h"

/* One mount after the head; `linux` goes in "linux". */
#define DOC(mount, linux)                                                                        \
    "{'ociVersion': '1.3.0', 'root': {'path': '/'},"                                             \
    " 'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh'], 'cwd': '/'},"                   \
    " 'mounts': [" mount "], 'linux': {" linux "}}"

/* The translated mount, or NULL (counted as a failure). */
static vd_builder *good(int line, const char *doc, const struct vd_mount_entry **m)
{
    vd_builder *b = translate_good_at(line, doc);
    check_at(line, b == NULL || b->n_mounts == 1, "translates to one mount");
    *m = b && b->n_mounts == 1 ? &b->mounts[0] : NULL;
    return *m ? b : (vd_builder_free(b), NULL);
}
#define GOOD(doc, m) good(__LINE__, doc, m)
#define BAD(doc, want) translate_bad_at(__LINE__, doc, want)

#define BIND(options, extra)                                                                     \
    "{'destination': '/mnt', 'type': 'bind', 'source': '/tmp', 'options': [" options "]" extra "}"
#define TMPFS(options)                                                                           \
    "{'destination': '/mnt', 'type': 'tmpfs', 'source': 'tmpfs', 'options': [" options "]}"
#define MAPS                                                                                     \
    ", 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 10}],"                         \
    " 'gidMappings': [{'containerID': 5, 'hostID': 2000, 'size': 1}]"

static void test_flags(void)
{
    const struct vd_mount_entry *m;
    vd_builder *b = GOOD(DOC(BIND("'rbind', 'ro', 'nosuid', 'dev', 'nosymfollow'", ""), ""), &m);
    if (b) {
        CHECK(m->flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NOSYMFOLLOW));
        /* "dev" was asked: the source's nodev is not kept. */
        CHECK(m->clear_flags == MS_NODEV);
        CHECK(streq(m->label, "config.json: mounts[0]"));
        CHECK(m->attr_set == 0 && m->attr_clr == 0 && !m->idmap && !m->copy_up);
        vd_builder_free(b);
    }
    /* A later word undoes an earlier one, in both directions. */
    b = GOOD(DOC(BIND("'bind', 'rw', 'ro', 'nosymfollow', 'symfollow'", ""), ""), &m);
    if (b) {
        CHECK(m->flags == (MS_BIND | MS_RDONLY));
        CHECK(m->clear_flags == MS_NOSYMFOLLOW);
        vd_builder_free(b);
    }
}

static void test_tree_attrs(void)
{
    const struct vd_mount_entry *m;
    vd_builder *b = GOOD(DOC(BIND("'rbind', 'rro', 'rnosuid', 'rnodev', 'rnoexec', 'rnosymfollow',"
                                  " 'rnodiratime'", ""), ""), &m);
    if (b) {
        CHECK(m->attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                              MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW |
                              MOUNT_ATTR_NODIRATIME));
        CHECK(m->attr_clr == 0);
        CHECK(m->flags == (MS_BIND | MS_REC));
        vd_builder_free(b);
    }
    b = GOOD(DOC(TMPFS("'rro', 'rrw', 'rsuid', 'rdev', 'rexec', 'rsymfollow', 'rdiratime'"), ""),
             &m);
    if (b) {
        CHECK(m->attr_set == 0);
        CHECK(m->attr_clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                              MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW |
                              MOUNT_ATTR_NODIRATIME));
        CHECK(m->data == NULL);
        vd_builder_free(b);
    }
    /* The atime is one value: the whole mask is cleared, the last wins. */
    static const struct {
        const char *word;
        uint64_t atime;
    } atimes[] = {
        {"rnoatime", MOUNT_ATTR_NOATIME},   {"rstrictatime", MOUNT_ATTR_STRICTATIME},
        {"rrelatime", MOUNT_ATTR_RELATIME}, {"ratime", MOUNT_ATTR_RELATIME},
        {"rnostrictatime", MOUNT_ATTR_RELATIME}, {"rnorelatime", MOUNT_ATTR_STRICTATIME},
    };
    for (size_t i = 0; i < sizeof(atimes) / sizeof(atimes[0]); i++) {
        char doc[1024];
        snprintf(doc, sizeof(doc), DOC(TMPFS("'rnoatime', '%s'"), ""), atimes[i].word);
        b = GOOD(doc, &m);
        if (b) {
            CHECK(m->attr_clr == MOUNT_ATTR__ATIME);
            CHECK(m->attr_set == atimes[i].atime);
            vd_builder_free(b);
        }
    }
}

static void test_idmap(void)
{
    const struct vd_mount_entry *m;
    vd_builder *b = GOOD(DOC(BIND("'rbind', 'ridmap'", MAPS), ""), &m);
    if (b) {
        CHECK(m->idmap && m->idmap_recursive && m->tree_fd == -1);
        CHECK(m->n_idmap_uids == 1 && m->idmap_uids[0].container_id == 0 &&
              m->idmap_uids[0].host_id == 1000 && m->idmap_uids[0].size == 10);
        CHECK(m->n_idmap_gids == 1 && m->idmap_gids[0].container_id == 5 &&
              m->idmap_gids[0].host_id == 2000 && m->idmap_gids[0].size == 1);
        vd_builder_free(b);
    }
    /* Without maps of its own: the container's user namespace maps. */
    b = GOOD(DOC(BIND("'bind', 'idmap'", ""),
                 "'namespaces': [{'type': 'user'}, {'type': 'mount'}],"
                 " 'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
                 " 'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536}]"),
             &m);
    if (b) {
        CHECK(m->idmap && !m->idmap_recursive);
        CHECK(m->n_idmap_uids == 1 && m->idmap_uids[0].host_id == 100000);
        CHECK(m->n_idmap_gids == 1 && m->idmap_gids[0].host_id == 200000);
        vd_builder_free(b);
    }
    BAD(DOC(BIND("'rbind', 'idmap'", ""), ""),
        "mounts[0].uidMappings: \"idmap\" needs uidMappings and gidMappings (or a new user "
        "namespace with its own)");
    BAD(DOC(BIND("'rbind', 'idmap'",
                 ", 'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}]"),
            ""),
        "mounts[0].gidMappings: \"idmap\" needs uidMappings and gidMappings (or a new user "
        "namespace with its own)");
    BAD(DOC(BIND("'rbind'", MAPS), ""),
        "mounts[0].uidMappings: needs the \"idmap\" or \"ridmap\" option");
    BAD(DOC(TMPFS("'idmap'"), ""), "mounts[0].options[0]: \"idmap\" is only for a bind mount");
    BAD(DOC(BIND("'rbind', 'idmap'",
                 ", 'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 0}],"
                 " 'gidMappings': [{'containerID': 0, 'hostID': 1, 'size': 1}]"),
            ""),
        "mounts[0]: idmapped mount \"/mnt\": uid map 0:1 has size 0: Invalid argument");
}

static void test_data(void)
{
    const struct vd_mount_entry *m;
    vd_builder *b =
        GOOD(DOC(TMPFS("'nosuid', 'tmpcopyup', 'size=1m', 'rfoo', 'mode=755'"), ""), &m);
    if (b) {
        CHECK(m->copy_up);
        CHECK(streq(m->data, "size=1m,rfoo,mode=755"));
        CHECK(m->flags == MS_NOSUID);
        vd_builder_free(b);
    }
    /* A bind's filesystem data is dropped, as mount(2) would drop it. */
    b = GOOD(DOC(BIND("'rbind', 'size=1m', 'mode=755', 'uid=1000', 'nosuid'", ""), ""), &m);
    if (b) {
        CHECK(m->data == NULL);
        CHECK(m->flags == (MS_BIND | MS_REC | MS_NOSUID));
        vd_builder_free(b);
    }
    BAD(DOC(BIND("'rbind', 'tmpcopyup'", ""), ""),
        "mounts[0].options[1]: \"tmpcopyup\" is only for a tmpfs mount");
    BAD(DOC("{'destination': '/mnt', 'type': 'bind'}", ""),
        "mounts[0].source: is required for a bind mount");
}

static void test_option_names(void)
{
    /* Every word features lists is one translate reads as an option, so
     * none of them reaches a filesystem as data. */
    size_t n = 0;
    bool seen_rro = false, seen_idmap = false, seen_tmpcopyup = false;
    for (const char *name; (name = oci_mount_option_at(n)); n++) {
        seen_rro |= streq(name, "rro");
        seen_idmap |= streq(name, "ridmap");
        seen_tmpcopyup |= streq(name, "tmpcopyup");
    }
    CHECK(seen_rro && seen_idmap && seen_tmpcopyup);
    CHECK(n > 60);
}

int main(void)
{
    test_flags();
    test_tree_attrs();
    test_idmap();
    test_data();
    test_option_names();
    return check_summary("test_translate_mounts");
}
