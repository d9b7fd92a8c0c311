/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci list: the containers under --root, as runc's table or JSON. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "seccomp_cache.h"
#include "utils.h"
#include "voidoci.h"

/* Go's tabwriter as runc sets it up: cells at least 12 wide, 3 spaces of
 * padding; the last column is not padded. */
#define TABLE_MIN_WIDTH 12
#define TABLE_PADDING 3

enum list_format { FORMAT_TABLE, FORMAT_JSON };

enum { COL_ID, COL_PID, COL_STATUS, COL_BUNDLE, COL_CREATED, COL_OWNER, COL_COUNT };

static const char *const column_names[COL_COUNT] = {"ID",      "PID",     "STATUS",
                                                    "BUNDLE",  "CREATED", "OWNER"};

struct row {
    struct container *c;
    char *cells[COL_COUNT];
};

struct rows {
    struct row *v;
    size_t n;
};

static void list_usage(void)
{
    fputs("Usage: voidoci list [-f|--format table|json] [-q|--quiet]\n"
          "\n"
          "List the containers under the root directory.\n"
          "\n"
          "  -f, --format FORMAT  table (default) or json, an array of the objects\n"
          "                       `voidoci state` prints\n"
          "  -q, --quiet          print only the IDs\n"
          "  -h, --help           show this help\n",
          stdout);
}

static void rows_free(struct rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        container_free(rows->v[i].c);
        for (int k = 0; k < COL_COUNT; k++)
            free(rows->v[i].cells[k]);
    }
    free(rows->v);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the directories in root, sorted (runc lists them so).  A
 * missing root holds no containers. */
static int read_names(const char *root, char ***names, size_t *n, vd_error **err)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(root);
    if (d == NULL)
        return errno == ENOENT ? 0 : vd_error_set(err, errno, "open \"%s\"", root);
    size_t cap = 0;
    int r = 0;
    struct dirent *de;
    errno = 0;
    while (r == 0 && (de = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, SECCOMP_CACHE_DIR) == 0)
            continue;
        if (de->d_type != DT_DIR &&
            (de->d_type != DT_UNKNOWN ||
             fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)))
            continue;
        if (*n + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            char **bigger = reallocarray(*names, cap, sizeof(**names));
            if (bigger == NULL) {
                r = vd_error_set(err, ENOMEM, "read \"%s\"", root);
                break;
            }
            *names = bigger;
        }
        if (((*names)[*n] = strdup(de->d_name)) == NULL)
            r = vd_error_set(err, ENOMEM, "read \"%s\"", root);
        else
            (*names)[++*n] = NULL;
        errno = 0;
    }
    if (r == 0 && errno != 0)
        r = vd_error_set(err, errno, "read \"%s\"", root);
    closedir(d);
    if (*names)
        qsort(*names, *n, sizeof(**names), compare_names);
    return r;
}

/* The user owning the state directory, as runc shows it: a name, or #uid.
 * The last one is kept: the directories of a root usually share an owner,
 * and each lookup reads the user database. */
struct owner_cache {
    bool known;
    uid_t uid;
    char *name;
};

static char *owner_name(int dir_fd, struct owner_cache *cache)
{
    struct stat st;
    if (fstat(dir_fd, &st) < 0)
        return strdup("");
    if (cache->known && cache->uid == st.st_uid)
        return strdup(cache->name);
    struct passwd pw, *found = NULL;
    char buf[4096];
    char *name = NULL;
    if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &found) == 0 && found)
        name = strdup(found->pw_name);
    else if (asprintf(&name, "#%u", (unsigned)st.st_uid) < 0)
        name = NULL;
    char *kept = name ? strdup(name) : NULL;
    if (kept) {
        free(cache->name);
        *cache = (struct owner_cache){.known = true, .uid = st.st_uid, .name = kept};
    }
    return name;
}

static int fill_row(struct row *row, struct owner_cache *owners, vd_error **err)
{
    struct container *c = row->c;
    enum container_status status = container_status(c);
    const struct oci_state *s = c->state;
    pid_t pid = s && status != CONTAINER_STOPPED ? s->pid : 0;

    row->cells[COL_ID] = strdup(c->id);
    if (asprintf(&row->cells[COL_PID], "%d", (int)pid) < 0)
        row->cells[COL_PID] = NULL;
    row->cells[COL_STATUS] = strdup(container_status_name(status));
    row->cells[COL_BUNDLE] = strdup(s && s->bundle ? s->bundle : "");
    row->cells[COL_CREATED] = strdup(s && s->created ? s->created : "");
    row->cells[COL_OWNER] = owner_name(c->lock_fd, owners);
    /* Read all it needs: a root of a thousand containers must not hold a
     * thousand open directories. */
    close(c->lock_fd);
    c->lock_fd = -1;
    for (int k = 0; k < COL_COUNT; k++)
        if (row->cells[k] == NULL)
            return vd_error_set(err, ENOMEM, "list");
    return 0;
}

/* Every container that loads; one that does not is a warning. */
static int load_rows(const struct global_opts *g, struct rows *rows, vd_error **err)
{
    _cleanup_strv_ char **names = NULL;
    size_t n = 0;
    if (read_names(g->root, &names, &n, err) < 0)
        return -1;
    rows->v = calloc(n ? n : 1, sizeof(*rows->v));
    if (rows->v == NULL)
        return vd_error_set(err, ENOMEM, "list");
    /* The cgroup mounts, read once for all (a paused container is told by
     * its freezer); without them each container reads them, as state does. */
    vd_cgroup_host *cg_host = NULL;
    _cleanup_error_ vd_error *host_err = NULL;
    if (n > 0)
        vd_cgroup_host_read(&cg_host, &host_err);
    struct owner_cache owners = {0};
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        _cleanup_error_ vd_error *load_err = NULL;
        struct container *c = NULL;
        /* Without the lock: list must not wait behind a long create. */
        int l = container_peek(g, names[i], &c, &load_err);
        if (l == -ENOENT) /* deleted since readdir */
            continue;
        if (l < 0) {
            log_warning("list: skipping \"%s\": %s", names[i], load_err->msg);
            continue;
        }
        c->cg_host = cg_host;
        struct row *row = &rows->v[rows->n++];
        row->c = c;
        r = fill_row(row, &owners, err);
        c->cg_host = NULL;
    }
    free(owners.name);
    vd_cgroup_host_free(cg_host);
    return r;
}

static void print_table(const struct rows *rows)
{
    size_t width[COL_COUNT];
    for (int k = 0; k < COL_COUNT; k++) {
        width[k] = strlen(column_names[k]);
        for (size_t i = 0; i < rows->n; i++)
            if (strlen(rows->v[i].cells[k]) > width[k])
                width[k] = strlen(rows->v[i].cells[k]);
        width[k] += TABLE_PADDING;
        if (width[k] < TABLE_MIN_WIDTH)
            width[k] = TABLE_MIN_WIDTH;
    }
    for (size_t i = 0; i <= rows->n; i++) {
        for (int k = 0; k < COL_COUNT; k++) {
            const char *cell = i == 0 ? column_names[k] : rows->v[i - 1].cells[k];
            if (k == COL_COUNT - 1)
                printf("%s\n", cell);
            else
                printf("%-*s", (int)width[k], cell);
        }
    }
}

/* A compact array, as runc's json.Encoder writes it: `null` when empty. */
static int print_json(const struct rows *rows, vd_error **err)
{
    if (rows->n == 0) {
        puts("null");
        return 0;
    }
    putchar('[');
    for (size_t i = 0; i < rows->n; i++) {
        const struct row *row = &rows->v[i];
        struct oci_state creating = {.oci_version = (char *)OCI_SPEC_VERSION, .id = row->c->id};
        struct oci_state s = row->c->state ? *row->c->state : creating;
        s.owner = row->cells[COL_OWNER]; /* runc's list names the owner; its state does not */
        _cleanup_free_ char *json = oci_state_to_json(&s, row->cells[COL_STATUS], false, err);
        if (json == NULL)
            return vd_error_prefix(err, "\"%s\"", row->c->id);
        printf("%s%s", i ? "," : "", json);
    }
    puts("]");
    return 0;
}

static int parse_format(const char *arg, enum list_format *format, vd_error **err)
{
    if (strcmp(arg, "table") == 0)
        *format = FORMAT_TABLE;
    else if (strcmp(arg, "json") == 0)
        *format = FORMAT_JSON;
    else
        return vd_error_set(err, 0, "invalid format \"%s\": want table or json", arg);
    return 0;
}

int cmd_list(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum list_format format = FORMAT_TABLE;
    bool quiet = false;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:f:qh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (parse_format(optarg, &format, err) < 0) {
                vd_error_prefix(err, "list");
                return 1;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            list_usage();
            return 0;
        case ':':
            vd_error_set(err, 0, "list: option \"%s\" needs an argument", argv[optind - 1]);
            return 1;
        default:
            vd_error_set(err, 0, "list: unknown option \"%s\" (see voidoci list --help)",
                         argv[optind - 1]);
            return 1;
        }
    }
    if (optind < argc) {
        vd_error_set(err, 0, "list: unexpected argument \"%s\"", argv[optind]);
        return 1;
    }

    struct rows rows = {0};
    int r = load_rows(g, &rows, err);
    if (r == 0 && quiet)
        for (size_t i = 0; i < rows.n; i++)
            printf("%s\n", rows.v[i].c->id);
    else if (r == 0 && format == FORMAT_JSON)
        r = print_json(&rows, err);
    else if (r == 0)
        print_table(&rows);
    rows_free(&rows);
    if (r < 0) {
        vd_error_prefix(err, "list");
        return 1;
    }
    return 0;
}
