/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiled seccomp filters on disk.  Compiling podman's profile with
 * libseccomp takes most of a container start; exec used to do it again.
 * Now create keeps the program in the state directory (seccomp.bpf), exec
 * loads that, and identical profiles share one compiled program in
 * <root>/.seccomp-cache/<key>.
 *
 * Trust: a program is loaded only from a regular file owned by our euid,
 * mode 0600 or stricter, one link, in a directory that is ours and 0700,
 * opened without following a symlink at the last component (O_NOFOLLOW,
 * openat from the directory's fd).  Whoever could write such a file is
 * root already and could change the runtime itself.  Within that, the file
 * names its key (the sha256 of this voidoci's and libseccomp's versions,
 * the native architecture and the canonical profile) and carries the
 * sha256 of its instructions: a file left from another profile, another
 * libseccomp, or cut short, is never taken for the profile's program.
 * A cache entry that fails a check is compiled again and replaced; the
 * container's own copy failing one is an error of exec (fail closed), and
 * only a missing copy (a container of an older voidoci) is compiled again.
 *
 * Exec checks the container's copy against the key create recorded in
 * state.json (seccompKey), beside it in the same directory and trusted as
 * state.json and the config copy are: it then needs neither the profile's
 * rules (most of a podman or Docker config, left out of its parse of the
 * copy) nor their digest, and its process gets the filter the container's
 * init has.  A state.json without the key (an older voidoci's) has the copy
 * checked against the key of the config copy's profile, as before.
 *
 * Growth: one file of (96 + 8 * instructions) bytes, a few KiB, per
 * distinct profile; nothing removes them.  Removing the directory is always
 * safe: the next create fills it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "seccomp_cache.h"
#include "translate.h"
#include "utils.h"
#include "voidoci.h"

#define MAGIC "VDSECBPF"
#define FORMAT 1u
/* Part of every key.  VOIDOCI_VERSION does not change between development
 * builds: bump this whenever oci/translate_seccomp.c or libvoid/seccomp.c
 * change the program a profile compiles to, so that no cache made by an
 * older build is taken for the new program. */
#define COMPILER_REVISION "2"

struct header {
    char magic[8];
    uint32_t format;
    uint32_t len;          /* instructions */
    uint64_t kernel_flags; /* SECCOMP_FILTER_FLAG_* */
    uint64_t notify;
    uint8_t key[VD_SHA256_LEN];
    uint8_t insns_sha256[VD_SHA256_LEN];
};
_Static_assert(sizeof(struct header) == 96, "the header has no padding");

void seccomp_key(const struct oci_seccomp *sp, uint8_t key[VD_SHA256_LEN])
{
    struct vd_sha256 ctx;
    vd_sha256_init(&ctx);
    static const char tag[] = "voidoci " VOIDOCI_VERSION " seccomp " COMPILER_REVISION;
    vd_sha256_update(&ctx, tag, sizeof(tag));
    const struct scmp_version *v = seccomp_version();
    uint32_t ver[4] = {v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
                       seccomp_arch_native()};
    vd_sha256_update(&ctx, ver, sizeof(ver));
    oci_seccomp_digest(sp, &ctx);
    vd_sha256_final(&ctx, key);
}

static void key_hex(const uint8_t key[VD_SHA256_LEN], char hex[2 * VD_SHA256_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < VD_SHA256_LEN; i++) {
        hex[2 * i] = digits[key[i] >> 4];
        hex[2 * i + 1] = digits[key[i] & 15];
    }
    hex[2 * VD_SHA256_LEN] = '\0';
}

/* ---- one file ---------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* `name` in `dirfd`, through a temporary file and a rename: a reader sees
 * the whole file or none. */
static int write_filter(int dirfd, const char *where, const char *name,
                        const struct vd_seccomp_prog *p, const uint8_t key[VD_SHA256_LEN],
                        const uint8_t insns_sha256[VD_SHA256_LEN], vd_error **err)
{
    struct header h = {.format = FORMAT, .len = p->len, .kernel_flags = p->kernel_flags,
                       .notify = p->notify};
    memcpy(h.magic, MAGIC, sizeof(h.magic));
    memcpy(h.key, key, VD_SHA256_LEN);
    size_t size = (size_t)p->len * sizeof(struct sock_filter);
    memcpy(h.insns_sha256, insns_sha256, VD_SHA256_LEN);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".tmp-%d-%s", (int)getpid(), CONTAINER_SECCOMP_FILE);
    _cleanup_close_ int fd =
        openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return vd_error_set(err, errno, "create \"%s/%s\"", where, tmp);
    if (write_all(fd, &h, sizeof(h)) < 0 || write_all(fd, p->insns, size) < 0 ||
        renameat(dirfd, tmp, dirfd, name) < 0) {
        int saved = errno ? errno : EIO;
        unlinkat(dirfd, tmp, 0);
        return vd_error_set(err, saved, "write \"%s/%s\"", where, name);
    }
    return 0;
}

static int read_exact(int fd, void *buf, size_t n)
{
    ssize_t got;
    do
        got = read(fd, buf, n);
    while (got < 0 && errno == EINTR);
    return got == (ssize_t)n ? 0 : -1;
}

/* The checks of the header comment; `*why` says which one failed. */
static int check_file(int fd, const char **why)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return *why = "fstat", -1;
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
        st.st_nlink != 1)
        return *why = "not a regular file of ours, mode 0600, with one link", -1;
    if (st.st_size < (off_t)sizeof(struct header) ||
        st.st_size > (off_t)(sizeof(struct header) + BPF_MAXINSNS * sizeof(struct sock_filter)))
        return *why = "the size of no filter", -1;
    return 0;
}

/* `sum` gets the sha256 of the instructions, checked. */
static int parse_filter(int fd, const uint8_t key[VD_SHA256_LEN], struct vd_seccomp_prog *p,
                        uint8_t sum[VD_SHA256_LEN], const char **why)
{
    struct header h;
    struct stat st;
    if (check_file(fd, why) < 0 || fstat(fd, &st) < 0)
        return -1;
    if (read_exact(fd, &h, sizeof(h)) < 0 || memcmp(h.magic, MAGIC, sizeof(h.magic)) != 0 ||
        h.format != FORMAT)
        return *why = "not a voidoci filter of this format", -1;
    if (memcmp(h.key, key, VD_SHA256_LEN) != 0)
        return *why = "compiled from another profile, libseccomp or voidoci", -1;
    size_t size = (size_t)h.len * sizeof(struct sock_filter);
    if (h.len == 0 || h.len > BPF_MAXINSNS || st.st_size != (off_t)(sizeof(h) + size))
        return *why = "its size does not match its header", -1;
    if ((p->insns = malloc(size)) == NULL)
        return *why = "out of memory", -1;
    if (read_exact(fd, p->insns, size) < 0)
        return *why = "short read", -1;
    vd_sha256(p->insns, size, sum);
    if (memcmp(sum, h.insns_sha256, VD_SHA256_LEN) != 0)
        return *why = "its instructions do not match their sha256", -1;
    p->len = (unsigned short)h.len;
    p->kernel_flags = h.kernel_flags;
    p->notify = h.notify != 0;
    return 0;
}

/* 0 with *out, 1 when absent, -1 with *why (and errno set for open). */
static int read_filter(int dirfd, const char *name, const uint8_t key[VD_SHA256_LEN],
                       struct vd_seccomp_prog **out, uint8_t sum[VD_SHA256_LEN],
                       const char **why, int *error)
{
    *error = 0;
    _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0) {
        *error = errno;
        return *why = "open", -1;
    }
    struct vd_seccomp_prog *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return *why = "out of memory", -1;
    if (parse_filter(fd, key, p, sum, why) < 0) {
        vd_seccomp_prog_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

/* ---- the container's copy ------------------------------------------------------ */

int seccomp_filter_store(const char *dir, const struct vd_seccomp_prog *p,
                         const uint8_t key[VD_SHA256_LEN],
                         const uint8_t insns_sha256[VD_SHA256_LEN], vd_error **err)
{
    _cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return vd_error_set(err, errno, "open \"%s\"", dir);
    return write_filter(dirfd, dir, CONTAINER_SECCOMP_FILE, p, key, insns_sha256, err);
}

int seccomp_filter_load(const char *dir, const uint8_t key[VD_SHA256_LEN],
                        struct vd_seccomp_prog **out, vd_error **err)
{
    _cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return vd_error_set(err, errno, "open \"%s\"", dir);
    const char *why = NULL;
    int error = 0;
    uint8_t sum[VD_SHA256_LEN];
    int r = read_filter(dirfd, CONTAINER_SECCOMP_FILE, key, out, sum, &why, &error);
    if (r < 0 && error != 0)
        return vd_error_set(err, error, "open the stored seccomp filter \"%s/"
                            CONTAINER_SECCOMP_FILE "\"", dir);
    if (r < 0)
        return vd_error_set(err, 0, "stored seccomp filter \"%s/" CONTAINER_SECCOMP_FILE
                            "\": %s; refusing to run under another filter", dir, why);
    return r;
}

/* ---- the shared cache --------------------------------------------------------- */

/* <root>/.seccomp-cache, made if need be; -1 when it is not safe to use. */
static int open_cache(const char *root)
{
    _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return -1;
    if (mkdirat(rootfd, SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST)
        return -1;
    int fd = openat(rootfd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0)) {
        log_debug("seccomp cache \"%s/" SECCOMP_CACHE_DIR "\" is not ours and 0700: not used",
                  root);
        close(fd);
        return -1;
    }
    return fd;
}

struct vd_seccomp_prog *seccomp_cache_get(const char *root, const struct oci_seccomp *sp,
                                          const uint8_t key[VD_SHA256_LEN],
                                          uint8_t insns_sha256[VD_SHA256_LEN], vd_error **err)
{
    _cleanup_close_ int cache = open_cache(root);
    char name[2 * VD_SHA256_LEN + 1];
    key_hex(key, name);
    struct vd_seccomp_prog *p = NULL;
    const char *why = NULL;
    int error = 0;
    int r = cache >= 0 ? read_filter(cache, name, key, &p, insns_sha256, &why, &error) : 1;
    if (r == 0)
        return p;
    if (r < 0)
        log_debug("seccomp cache entry \"%s/" SECCOMP_CACHE_DIR "/%s\": %s: compiled again",
                  root, name, why);
    if ((p = oci_seccomp_compile(sp, err)) == NULL)
        return NULL;
    vd_sha256(p->insns, (size_t)p->len * sizeof(struct sock_filter), insns_sha256);
    vd_error *ignored = NULL;
    if (cache >= 0 &&
        write_filter(cache, SECCOMP_CACHE_DIR, name, p, key, insns_sha256, &ignored) < 0) {
        log_debug("seccomp cache: %s", ignored ? ignored->msg : "?");
        vd_error_free(&ignored);
    }
    return p;
}
