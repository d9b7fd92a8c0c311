/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvoid/resctrl.c against a stand-in resctrl root: a temporary directory
 * holding what the kernel would show (a group's schemata and tasks files,
 * its mon_groups directory).  What only the kernel can do -- fill a group
 * it makes, accept or refuse a schemata write -- is left to
 * tests/bats/intelrdt.bats where resctrl is mounted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "void.h"
#include "check.h"

static bool exists(const char *rel)
{
    struct stat st;
    return stat(path_of(rel), &st) == 0;
}

static bool holds(const char *rel, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path_of(rel), "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

/* A group as the kernel shows one: its files and its mon_groups. */
static void kernel_group(const char *name, const char *schemata)
{
    char rel[256];
    if (mkdir(path_of(name), 0755) < 0)
        perror(name), exit(1);
    snprintf(rel, sizeof(rel), "%s/mon_groups", name);
    if (mkdir(path_of(rel), 0755) < 0)
        perror(rel), exit(1);
    snprintf(rel, sizeof(rel), "%s/schemata", name);
    put(rel, schemata);
    snprintf(rel, sizeof(rel), "%s/tasks", name);
    put(rel, "");
}

static void remove_tree(const char *rel)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path_of(rel));
    if (system(cmd) != 0)
        exit(1);
}

static vd_resctrl *create(const char *group, bool own, const char *const *lines,
                          const char *monitor, char **msg)
{
    struct vd_resctrl_config cfg = {
        .root = fake_root, .group = group, .own_group = own, .schemata = lines, .monitor = monitor};
    vd_resctrl *r = NULL;
    vd_error *err = NULL;
    *msg = NULL;
    if (vd_resctrl_create(&cfg, &r, &err) < 0) {
        *msg = strdup(err->msg);
        vd_error_free(&err);
    }
    return r;
}

/* A shared group that is there already: compared, never written. */
static void test_existing_group(void)
{
    /* The kernel pads resource names and prints masks in its own width. */
    kernel_group("gold", "    L3:0=007f0;1=1f\n    MB:0= 20;1= 70\n");
    const char *want[] = {"L3:0=7F0;1=01f", "MB:0=20", NULL};
    char *msg;
    vd_resctrl *r = create("gold", false, want, "web", &msg);
    CHECK(r != NULL && msg == NULL);
    if (r == NULL) {
        fprintf(stderr, "  %s\n", msg);
        free(msg);
        return;
    }
    CHECK(strcmp(vd_resctrl_group_dir(r), path_of("gold")) == 0);
    CHECK(strcmp(vd_resctrl_monitor_dir(r), path_of("gold/mon_groups/web")) == 0);
    CHECK(exists("gold/mon_groups/web"));
    CHECK(holds("gold/schemata", "    L3:0=007f0;1=1f\n    MB:0= 20;1= 70\n"));
    put("gold/mon_groups/web/tasks", "");
    vd_error *err = NULL;
    CHECK(vd_resctrl_join(r, 4242, &err) == 0);
    CHECK(holds("gold/tasks", "4242\n"));
    CHECK(holds("gold/mon_groups/web/tasks", "4242\n"));
    /* Delete: the monitoring group goes, the shared group stays. */
    unlink(path_of("gold/mon_groups/web/tasks"));
    CHECK(vd_resctrl_destroy(r, false, &err) == 0);
    CHECK(!exists("gold/mon_groups/web") && exists("gold"));
    vd_resctrl_free(r);
    remove_tree("gold");
}

static void test_schemata_mismatch(void)
{
    kernel_group("silver", "L3:0=ff;1=ff\nMB:0=100;1=100\n");
    char *msg;
    const char *other[] = {"L3:0=ff;1=f0", NULL};
    vd_resctrl *r = create("silver", false, other, "web", &msg);
    CHECK(r == NULL && msg &&
          strstr(msg, "exists with other schemata: L3:1=f0 asked for, ff there") != NULL);
    free(msg);
    /* Nothing made, nothing of the group's removed. */
    CHECK(!exists("silver/mon_groups/web") && exists("silver/schemata"));

    const char *absent[] = {"L2:0=f", NULL};
    r = create("silver", false, absent, NULL, &msg);
    CHECK(r == NULL && msg && strstr(msg, "L2:0=f asked for, none there") != NULL);
    free(msg);

    /* A later line wins over an earlier one for the same domain. */
    const char *overridden[] = {"L3:1=f0", "L3:1=ff", NULL};
    r = create("silver", false, overridden, NULL, &msg);
    CHECK(r != NULL && msg == NULL);
    vd_resctrl_free(r);
    free(msg);

    const char *garbage[] = {"L3", NULL};
    r = create("silver", false, garbage, NULL, &msg);
    CHECK(r == NULL && msg && strstr(msg, "schemata \"L3\": not RESOURCE:ID=VALUE;...") != NULL);
    free(msg);
    remove_tree("silver");
}

/* A closID without schemata names a group someone made. */
static void test_missing_group(void)
{
    char *msg;
    vd_resctrl *r = create("bronze", false, NULL, NULL, &msg);
    CHECK(r == NULL && msg && strstr(msg, "resctrl group \"") == msg &&
          strstr(msg, "/bronze\" does not exist") != NULL);
    free(msg);
    CHECK(!exists("bronze"));
}

/* The container's own group: made here, and removed with the container. */
static void test_own_group(void)
{
    char *msg;
    vd_resctrl *r = create("ctr1", true, NULL, NULL, &msg);
    CHECK(r != NULL && exists("ctr1") && vd_resctrl_owns_group(r));
    vd_error *err = NULL;
    if (r)
        CHECK(vd_resctrl_destroy(r, false, &err) == 0);
    CHECK(!exists("ctr1"));
    vd_resctrl_free(r);
    free(msg);

    /* Made, then a step failed (no kernel filled it): it goes again. */
    const char *lines[] = {"L3:0=f", NULL};
    r = create("ctr2", true, lines, NULL, &msg);
    CHECK(r == NULL && msg && strstr(msg, "open \"") == msg &&
          strstr(msg, "/ctr2/schemata\": No such file or directory") != NULL);
    CHECK(!exists("ctr2"));
    free(msg);

    /* A shared group made for its schemata is undone the same way, but a
     * later delete would leave it (it is not the container's own). */
    r = create("shared", false, lines, NULL, &msg);
    CHECK(r == NULL && !exists("shared"));
    free(msg);

    /* Reopened from what state.json keeps, for delete. */
    kernel_group("ctr3", "");
    vd_resctrl *again = NULL;
    CHECK(vd_resctrl_open(path_of("ctr3"), NULL, true, &again, &err) == 0);
    remove_tree("ctr3/mon_groups");
    unlink(path_of("ctr3/schemata"));
    unlink(path_of("ctr3/tasks"));
    if (again)
        CHECK(vd_resctrl_destroy(again, false, &err) == 0);
    CHECK(!exists("ctr3"));
    /* Gone already: fine. */
    if (again)
        CHECK(vd_resctrl_destroy(again, false, &err) == 0);
    vd_resctrl_free(again);
}

/* enableMonitoring where resctrl has no monitoring (no mon_groups). */
static void test_no_monitoring(void)
{
    kernel_group("plain", "L3:0=f\n");
    rmdir(path_of("plain/mon_groups"));
    char *msg;
    vd_resctrl *r = create("plain", false, NULL, "web", &msg);
    CHECK(r == NULL && msg &&
          strstr(msg, "/plain\" has no mon_groups: this host cannot monitor") != NULL);
    free(msg);
    CHECK(exists("plain/schemata"));
    remove_tree("plain");
}

static void test_bad_names(void)
{
    char *msg;
    vd_resctrl *r = create("..", true, NULL, NULL, &msg);
    CHECK(r == NULL && msg && strcmp(msg, "resctrl group \"..\": not a directory name") == 0);
    free(msg);
    r = create("ok", true, NULL, "a/b", &msg);
    CHECK(r == NULL && msg && strcmp(msg, "resctrl group \"a/b\": not a directory name") == 0);
    free(msg);
    CHECK(!exists("ok"));
}

/* No root given: /sys/fs/resctrl, which must be resctrl. */
static void test_default_root(void)
{
    struct statfs st;
    if (statfs("/sys/fs/resctrl", &st) == 0 && st.f_type == 0x7655821) {
        printf("skip: test_default_root: resctrl is mounted here\n");
        return;
    }
    struct vd_resctrl_config cfg = {.group = "x", .own_group = true};
    vd_resctrl *r = NULL;
    vd_error *err = NULL;
    CHECK(vd_resctrl_create(&cfg, &r, &err) < 0 && err &&
          strcmp(err->msg, "resctrl is not mounted at /sys/fs/resctrl") == 0);
    vd_error_free(&err);
}

int main(void)
{
    if (fake_root_make("test_resctrl") < 0)
        return 1;
    test_existing_group();
    test_schemata_mismatch();
    test_missing_group();
    test_own_group();
    test_no_monitoring();
    test_bad_names();
    test_default_root();
    fake_root_remove();
    return check_summary("test_resctrl");
}
