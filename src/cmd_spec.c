/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidoci spec: write the example config.json that `runc spec` writes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "config.h"
#include "utils.h"
#include "voidoci.h"

#define SPEC_FILE "config.json"

struct spec_choices {
    bool rootless;
    bool cgroup_ns; /* runc adds one only on a cgroup v2 host */
    uid_t uid;
    gid_t gid;
};

/* The text below is byte for byte what runc's json.MarshalIndent(spec, "",
 * "\t") produces, so that the two can be diffed; only ociVersion differs. */
static const char spec_head[] =
    "{\n"
    "\t\"ociVersion\": \"" OCI_RUNTIME_SPEC_VERSION "\",\n"
    "\t\"process\": {\n"
    "\t\t\"terminal\": true,\n"
    "\t\t\"user\": {\n"
    "\t\t\t\"uid\": 0,\n"
    "\t\t\t\"gid\": 0\n"
    "\t\t},\n"
    "\t\t\"args\": [\n"
    "\t\t\t\"sh\"\n"
    "\t\t],\n"
    "\t\t\"env\": [\n"
    "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "\t\t\t\"TERM=xterm\"\n"
    "\t\t],\n"
    "\t\t\"cwd\": \"/\",\n"
    "\t\t\"capabilities\": {\n"
    "\t\t\t\"bounding\": [\n"
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
    "\t\t\t\t\"CAP_KILL\",\n"
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
    "\t\t\t],\n"
    "\t\t\t\"effective\": [\n"
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
    "\t\t\t\t\"CAP_KILL\",\n"
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
    "\t\t\t],\n"
    "\t\t\t\"permitted\": [\n"
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
    "\t\t\t\t\"CAP_KILL\",\n"
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
    "\t\t\t],\n"
    "\t\t\t\"ambient\": [\n"
    "\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
    "\t\t\t\t\"CAP_KILL\",\n"
    "\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
    "\t\t\t]\n"
    "\t\t},\n"
    "\t\t\"rlimits\": [\n"
    "\t\t\t{\n"
    "\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
    "\t\t\t\t\"hard\": 1024,\n"
    "\t\t\t\t\"soft\": 1024\n"
    "\t\t\t}\n"
    "\t\t],\n"
    "\t\t\"noNewPrivileges\": true\n"
    "\t},\n"
    "\t\"root\": {\n"
    "\t\t\"path\": \"rootfs\",\n"
    "\t\t\"readonly\": true\n"
    "\t},\n"
    "\t\"hostname\": \"runc\",\n"
    "\t\"mounts\": [\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/proc\",\n"
    "\t\t\t\"type\": \"proc\",\n"
    "\t\t\t\"source\": \"proc\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev\",\n"
    "\t\t\t\"type\": \"tmpfs\",\n"
    "\t\t\t\"source\": \"tmpfs\",\n"
    "\t\t\t\"options\": [\n"
    "\t\t\t\t\"nosuid\",\n"
    "\t\t\t\t\"strictatime\",\n"
    "\t\t\t\t\"mode=755\",\n"
    "\t\t\t\t\"size=65536k\"\n"
    "\t\t\t]\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev/pts\",\n"
    "\t\t\t\"type\": \"devpts\",\n"
    "\t\t\t\"source\": \"devpts\",\n"
    "\t\t\t\"options\": [\n"
    "\t\t\t\t\"nosuid\",\n"
    "\t\t\t\t\"noexec\",\n"
    "\t\t\t\t\"newinstance\",\n"
    "\t\t\t\t\"ptmxmode=0666\",\n"
    "\t\t\t\t\"mode=0620\"";

/* Without a user namespace the tty group (5) owns the ptys. */
static const char spec_devpts_gid[] = ",\n"
                                      "\t\t\t\t\"gid=5\"";

static const char spec_dev_mounts[] =
    "\n"
    "\t\t\t]\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev/shm\",\n"
    "\t\t\t\"type\": \"tmpfs\",\n"
    "\t\t\t\"source\": \"shm\",\n"
    "\t\t\t\"options\": [\n"
    "\t\t\t\t\"nosuid\",\n"
    "\t\t\t\t\"noexec\",\n"
    "\t\t\t\t\"nodev\",\n"
    "\t\t\t\t\"mode=1777\",\n"
    "\t\t\t\t\"size=65536k\"\n"
    "\t\t\t]\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev/mqueue\",\n"
    "\t\t\t\"type\": \"mqueue\",\n"
    "\t\t\t\"source\": \"mqueue\",\n"
    "\t\t\t\"options\": [\n"
    "\t\t\t\t\"nosuid\",\n"
    "\t\t\t\t\"noexec\",\n"
    "\t\t\t\t\"nodev\"\n"
    "\t\t\t]\n"
    "\t\t},\n";

static const char spec_sysfs_mount[] = "\t\t{\n"
                                       "\t\t\t\"destination\": \"/sys\",\n"
                                       "\t\t\t\"type\": \"sysfs\",\n"
                                       "\t\t\t\"source\": \"sysfs\",\n"
                                       "\t\t\t\"options\": [\n"
                                       "\t\t\t\t\"nosuid\",\n"
                                       "\t\t\t\t\"noexec\",\n"
                                       "\t\t\t\t\"nodev\",\n"
                                       "\t\t\t\t\"ro\"\n"
                                       "\t\t\t]\n"
                                       "\t\t},\n";

/* A user namespace without its own network namespace may not mount sysfs. */
static const char spec_sys_bind_mount[] = "\t\t{\n"
                                          "\t\t\t\"destination\": \"/sys\",\n"
                                          "\t\t\t\"type\": \"none\",\n"
                                          "\t\t\t\"source\": \"/sys\",\n"
                                          "\t\t\t\"options\": [\n"
                                          "\t\t\t\t\"rbind\",\n"
                                          "\t\t\t\t\"nosuid\",\n"
                                          "\t\t\t\t\"noexec\",\n"
                                          "\t\t\t\t\"nodev\",\n"
                                          "\t\t\t\t\"ro\"\n"
                                          "\t\t\t]\n"
                                          "\t\t},\n";

static const char spec_cgroup_mount[] = "\t\t{\n"
                                        "\t\t\t\"destination\": \"/sys/fs/cgroup\",\n"
                                        "\t\t\t\"type\": \"cgroup\",\n"
                                        "\t\t\t\"source\": \"cgroup\",\n"
                                        "\t\t\t\"options\": [\n"
                                        "\t\t\t\t\"nosuid\",\n"
                                        "\t\t\t\t\"noexec\",\n"
                                        "\t\t\t\t\"nodev\",\n"
                                        "\t\t\t\t\"relatime\",\n"
                                        "\t\t\t\t\"ro\"\n"
                                        "\t\t\t]\n"
                                        "\t\t}\n"
                                        "\t],\n"
                                        "\t\"linux\": {\n";

static const char spec_id_mappings_fmt[] = "\t\t\"uidMappings\": [\n"
                                           "\t\t\t{\n"
                                           "\t\t\t\t\"containerID\": 0,\n"
                                           "\t\t\t\t\"hostID\": %u,\n"
                                           "\t\t\t\t\"size\": 1\n"
                                           "\t\t\t}\n"
                                           "\t\t],\n"
                                           "\t\t\"gidMappings\": [\n"
                                           "\t\t\t{\n"
                                           "\t\t\t\t\"containerID\": 0,\n"
                                           "\t\t\t\t\"hostID\": %u,\n"
                                           "\t\t\t\t\"size\": 1\n"
                                           "\t\t\t}\n"
                                           "\t\t],\n";

static const char spec_device_cgroup[] = "\t\t\"resources\": {\n"
                                         "\t\t\t\"devices\": [\n"
                                         "\t\t\t\t{\n"
                                         "\t\t\t\t\t\"allow\": false,\n"
                                         "\t\t\t\t\t\"access\": \"rwm\"\n"
                                         "\t\t\t\t}\n"
                                         "\t\t\t]\n"
                                         "\t\t},\n";

static const char spec_tail[] = "\t\t\"maskedPaths\": [\n"
                                "\t\t\t\"/proc/acpi\",\n"
                                "\t\t\t\"/proc/asound\",\n"
                                "\t\t\t\"/proc/kcore\",\n"
                                "\t\t\t\"/proc/keys\",\n"
                                "\t\t\t\"/proc/latency_stats\",\n"
                                "\t\t\t\"/proc/timer_list\",\n"
                                "\t\t\t\"/proc/timer_stats\",\n"
                                "\t\t\t\"/proc/sched_debug\",\n"
                                "\t\t\t\"/sys/firmware\",\n"
                                "\t\t\t\"/proc/scsi\"\n"
                                "\t\t],\n"
                                "\t\t\"readonlyPaths\": [\n"
                                "\t\t\t\"/proc/bus\",\n"
                                "\t\t\t\"/proc/fs\",\n"
                                "\t\t\t\"/proc/irq\",\n"
                                "\t\t\t\"/proc/sys\",\n"
                                "\t\t\t\"/proc/sysrq-trigger\"\n"
                                "\t\t]\n"
                                "\t}\n"
                                "}";

static void print_spec_help(void)
{
    fputs("Usage: voidoci spec [-b|--bundle DIR] [--rootless]\n"
          "\n"
          "Write an example config.json in DIR (default: the current directory),\n"
          "the same one `runc spec` writes: \"sh\" on a terminal, root \"rootfs\".\n"
          "\n"
          "Options:\n"
          "  -b, --bundle DIR  write DIR/config.json\n"
          "      --rootless    for a container started by a non-root user: a user\n"
          "                    namespace mapping root to the current user, no\n"
          "                    network namespace, no cgroup settings\n"
          "  -h, --help        show this help\n",
          stdout);
}

static bool host_has_cgroup2_only(void)
{
    struct statfs fs;
    return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static void emit_namespaces(FILE *out, const struct spec_choices *c)
{
    const char *names[6];
    size_t n = 0;
    names[n++] = "pid";
    if (!c->rootless)
        names[n++] = "network";
    names[n++] = "ipc";
    names[n++] = "uts";
    names[n++] = "mount";
    if (c->cgroup_ns)
        names[n++] = "cgroup";
    if (c->rootless)
        names[n++] = "user";

    fputs("\t\t\"namespaces\": [\n", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "\t\t\t{\n\t\t\t\t\"type\": \"%s\"\n\t\t\t}%s\n", names[i],
                i + 1 < n ? "," : "");
    fputs("\t\t],\n", out);
}

static char *render_spec(const struct spec_choices *c)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return NULL;

    fputs(spec_head, out);
    if (!c->rootless)
        fputs(spec_devpts_gid, out);
    fputs(spec_dev_mounts, out);
    fputs(c->rootless ? spec_sys_bind_mount : spec_sysfs_mount, out);
    fputs(spec_cgroup_mount, out);
    if (c->rootless)
        fprintf(out, spec_id_mappings_fmt, (unsigned)c->uid, (unsigned)c->gid);
    else
        fputs(spec_device_cgroup, out);
    emit_namespaces(out, c);
    fputs(spec_tail, out);

    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}


/* Give the finished temp file its real name, but never over an existing
 * file: a concurrent `spec` may have won since we checked. */
static int rename_no_replace(int dfd, const char *from, const char *to)
{
    if (renameat2(dfd, from, dfd, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL)
        return -errno;
    /* The filesystem lacks RENAME_NOREPLACE; link(2) refuses to replace too. */
    if (linkat(dfd, from, dfd, to, 0) < 0)
        return -errno;
    unlinkat(dfd, from, 0);
    return 0;
}

static int spec_exists_error(vd_error **err)
{
    return vd_error_set(err, 0, "spec: File %s exists. Remove it first", SPEC_FILE);
}

/* Write `text` to dfd/SPEC_FILE so that no reader ever sees half of it. */
static int write_spec_file(int dfd, const char *bundle, const char *text, vd_error **err)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", SPEC_FILE, (long)getpid());
    /* Only a dead process with our pid can have left one behind. */
    unlinkat(dfd, tmp, 0);

    /* 0666 and the umask, as runc does. */
    _cleanup_close_ int fd =
        openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return vd_error_set(err, errno, "spec: create \"%s/%s\"", bundle, tmp);

    int r = vd_write_all(fd, text, strlen(text));
    if (r == 0 && close(steal_fd(&fd)) < 0)
        r = -errno;
    if (r == 0)
        r = rename_no_replace(dfd, tmp, SPEC_FILE);
    if (r == 0)
        return 0;

    unlinkat(dfd, tmp, 0);
    if (r == -EEXIST)
        return spec_exists_error(err);
    return vd_error_set(err, -r, "spec: write \"%s/%s\"", bundle, SPEC_FILE);
}

/* getopt sets optopt for long options too, so tell them apart by "--". */
static int unknown_option_error(char **argv, vd_error **err)
{
    const char *arg = argv[optind - 1];
    if (strncmp(arg, "--", 2) == 0)
        return vd_error_set(err, 0, "spec: unknown option \"%s\" (see voidoci spec --help)", arg);
    return vd_error_set(err, 0, "spec: unknown option \"-%c\" (see voidoci spec --help)",
                        optopt);
}

int cmd_spec(const struct global_opts *g, int argc, char **argv, vd_error **err)
{
    static const struct option options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"rootless", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *bundle = ".";
    struct spec_choices choices = {0};
    int c;

    (void)g;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":b:h", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            bundle = optarg;
            break;
        case 'r':
            choices.rootless = true;
            break;
        case 'h':
            print_spec_help();
            return 0;
        case ':':
            vd_error_set(err, 0, "spec: option \"%s\" needs an argument", argv[optind - 1]);
            return 1;
        default:
            unknown_option_error(argv, err);
            return 1;
        }
    }
    if (optind < argc) {
        vd_error_set(err, 0, "spec: unexpected argument \"%s\"", argv[optind]);
        return 1;
    }

    _cleanup_close_ int dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        vd_error_set(err, errno, "spec: bundle \"%s\"", bundle);
        return 1;
    }
    struct stat st;
    if (fstatat(dfd, SPEC_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        spec_exists_error(err);
        return 1;
    }

    choices.cgroup_ns = host_has_cgroup2_only();
    choices.uid = geteuid();
    choices.gid = getegid();
    _cleanup_free_ char *text = render_spec(&choices);
    if (text == NULL) {
        vd_error_set(err, ENOMEM, "spec");
        return 1;
    }
    return write_spec_file(dfd, bundle, text, err) < 0 ? 1 : 0;
}
