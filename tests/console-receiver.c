/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console-receiver: the far end of `voidoci create --console-socket`, for the
 * bats tests.  It plays conmon's and containerd's shim's part: listen on a
 * unix stream socket, accept one connection, receive one message carrying
 * the pty master, and check that message as strictly as they do (a non-empty
 * payload under 4096 bytes, exactly one SCM_RIGHTS control message holding
 * exactly one fd, cmsg_len == CMSG_LEN(sizeof(int))).  Then it drives the
 * terminal: each --send writes TEXT and a newline to the master, each
 * --expect reads until TEXT appears, in the order given on the command line.
 * Everything read from the master is printed on stdout at the end.
 *
 * Usage: console-receiver SOCKET_PATH [--timeout SECONDS] [--send TEXT | --expect TEXT]...
 *
 * Exit status: 0 when every --expect was seen (without one: when the master
 * reached EOF), 1 when one was not seen in time or the master closed first,
 * 2 for a bad message on the socket or any other error. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* A payload this long or longer is refused by containerd's shim. */
#define PAYLOAD_LIMIT 4096
/* How long create may take to connect. */
#define ACCEPT_TIMEOUT_MS 30000
#define OUTPUT_LIMIT (1024 * 1024)

enum step_kind { STEP_SEND, STEP_EXPECT };

struct step {
    enum step_kind kind;
    const char *text;
};

static const char *prog = "console-receiver";

__attribute__((format(printf, 1, 2))) static void warnx_(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: %s SOCKET_PATH [--timeout SECONDS] [--send TEXT | --expect TEXT]...\n",
            prog);
    exit(2);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Listen on `path`.  The socket is bound under a temporary name and renamed
 * into place once it listens, so that a client that sees the path can
 * connect at once. */
static int listen_on(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char tmp[sizeof(addr.sun_path)];
    int fd;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        warnx_("socket path too long: %s", path);
        return -1;
    }
    memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        warnx_("socket: %s", strerror(errno));
        return -1;
    }
    unlink(tmp);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0 ||
        rename(tmp, path) < 0) {
        warnx_("listen on %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    return fd;
}

static int accept_one(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    int r, fd;

    do
        r = poll(&p, 1, ACCEPT_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        warnx_("no connection on the console socket within %d s", ACCEPT_TIMEOUT_MS / 1000);
        return -1;
    }
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        warnx_("accept: %s", strerror(errno));
    return fd;
}

/* Receive the one message and return the fd it carries, or -1 after saying
 * what was wrong with it. */
static int receive_master(int conn)
{
    char payload[PAYLOAD_LIMIT * 2];
    /* Room for several fds and control messages, to report a sender that
     * passes more than one rather than have the kernel truncate silently. */
    union {
        char buf[CMSG_SPACE(sizeof(int) * 16)];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = payload, .iov_len = sizeof(payload) - 1};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg;
    int n_cmsg = 0, fd = -1, master_pty;
    ssize_t n;

    memset(control.buf, 0, sizeof(control.buf));
    do
        n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        warnx_("recvmsg: %s", strerror(errno));
        return -1;
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        warnx_("message truncated (flags 0x%x): too much payload or control data",
               (unsigned)msg.msg_flags);
        return -1;
    }
    if (n == 0) {
        /* On a stream socket the fd cannot even travel without a byte. */
        warnx_("empty payload: conmon and the shim want a non-empty one (runc sends the pty name)");
        return -1;
    }
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        n_cmsg++;
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
            warnx_("control message %d is level %d type %d, not SCM_RIGHTS", n_cmsg,
                   cmsg->cmsg_level, cmsg->cmsg_type);
            return -1;
        }
        if (cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
            /* conmon rejects anything else; so do we. */
            warnx_("SCM_RIGHTS cmsg_len is %zu, want CMSG_LEN(sizeof(int)) = %zu (%zu fds)",
                   (size_t)cmsg->cmsg_len, (size_t)CMSG_LEN(sizeof(int)),
                   ((size_t)cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            return -1;
        }
        memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    }
    if (n_cmsg != 1) {
        warnx_("%d control messages, want exactly one SCM_RIGHTS message", n_cmsg);
        return -1;
    }
    if (n >= PAYLOAD_LIMIT) {
        warnx_("payload of %zd bytes: containerd's shim wants fewer than %d", n, PAYLOAD_LIMIT);
        return -1;
    }
    payload[n] = '\0';
    if (!isatty(fd) || ioctl(fd, TIOCGPTN, &master_pty) < 0) {
        warnx_("the fd received (payload \"%s\") is not a pty master", payload);
        return -1;
    }
    fprintf(stderr, "%s: received pty master %d (payload \"%s\")\n", prog, master_pty, payload);
    return fd;
}

struct output {
    char *buf;
    size_t len, cap;
    size_t matched; /* the next --expect searches from here */
    bool eof;
};

/* Read what the master has within `deadline`; false at the deadline. */
static bool read_some(int master, struct output *out, long long deadline)
{
    struct pollfd p = {.fd = master, .events = POLLIN};
    long long left = deadline - now_ms();
    ssize_t n;
    int r;

    if (left <= 0)
        return false;
    r = poll(&p, 1, (int)left);
    if (r < 0)
        return errno == EINTR;
    if (r == 0)
        return false;
    if (out->cap - out->len < 4096) {
        size_t cap = out->cap ? out->cap * 2 : 65536;
        char *b;
        if (cap > OUTPUT_LIMIT || !(b = realloc(out->buf, cap))) {
            warnx_("more than %d bytes of output", OUTPUT_LIMIT);
            out->eof = true;
            return true;
        }
        out->buf = b;
        out->cap = cap;
    }
    n = read(master, out->buf + out->len, out->cap - out->len);
    if (n > 0)
        out->len += (size_t)n;
    else if (n == 0 || errno == EIO) /* EIO: every slave fd is closed */
        out->eof = true;
    else if (errno != EINTR && errno != EAGAIN) {
        warnx_("read from the pty master: %s", strerror(errno));
        out->eof = true;
    }
    return true;
}

static bool expect(int master, struct output *out, const char *text, int timeout_s)
{
    long long deadline = now_ms() + timeout_s * 1000LL;
    size_t tlen = strlen(text);

    for (;;) {
        char *hit = out->len > out->matched
                        ? memmem(out->buf + out->matched, out->len - out->matched, text, tlen)
                        : NULL;
        if (hit) {
            out->matched = (size_t)(hit - out->buf) + tlen;
            return true;
        }
        if (out->eof) {
            warnx_("the terminal closed before \"%s\" appeared", text);
            return false;
        }
        if (!read_some(master, out, deadline)) {
            warnx_("\"%s\" did not appear within %d s", text, timeout_s);
            return false;
        }
    }
}

static bool send_line(int master, const char *text)
{
    size_t len = strlen(text);
    char *line = malloc(len + 2);
    size_t off = 0;
    bool ok = true;

    if (!line)
        return false;
    memcpy(line, text, len);
    line[len] = '\n';
    while (off < len + 1) {
        ssize_t n = write(master, line + off, len + 1 - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            warnx_("write to the pty master: %s", strerror(errno));
            ok = false;
            break;
        }
        off += (size_t)n;
    }
    free(line);
    return ok;
}

int main(int argc, char **argv)
{
    struct step *steps;
    size_t n_steps = 0;
    bool any_expect = false, ok = true;
    const char *path;
    int timeout_s = 10, lfd, conn, master, i;
    struct output out = {0};

    if (argc < 2 || argv[1][0] == '-')
        usage();
    path = argv[1];
    steps = calloc((size_t)argc, sizeof(*steps));
    if (!steps)
        return 2;
    for (i = 2; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--send") == 0) {
            steps[n_steps++] = (struct step){STEP_SEND, argv[++i]};
        } else if (strcmp(argv[i], "--expect") == 0) {
            steps[n_steps++] = (struct step){STEP_EXPECT, argv[++i]};
            any_expect = true;
        } else if (strcmp(argv[i], "--timeout") == 0) {
            timeout_s = atoi(argv[++i]);
            if (timeout_s <= 0)
                usage();
        } else {
            usage();
        }
    }
    signal(SIGPIPE, SIG_IGN);

    lfd = listen_on(path);
    if (lfd < 0)
        return 2;
    conn = accept_one(lfd);
    close(lfd);
    unlink(path);
    if (conn < 0)
        return 2;
    master = receive_master(conn);
    close(conn);
    if (master < 0)
        return 2;

    for (size_t s = 0; s < n_steps && ok; s++) {
        switch (steps[s].kind) {
        case STEP_SEND:
            ok = send_line(master, steps[s].text);
            break;
        case STEP_EXPECT:
            ok = expect(master, &out, steps[s].text, timeout_s);
            break;
        }
    }
    if (ok && !any_expect) {
        long long deadline = now_ms() + timeout_s * 1000LL;
        while (!out.eof && read_some(master, &out, deadline))
            ;
        if (!out.eof) {
            warnx_("the terminal did not close within %d s", timeout_s);
            ok = false;
        }
    }
    if (out.len)
        fwrite(out.buf, 1, out.len, stdout);
    fflush(stdout);
    close(master);
    free(out.buf);
    free(steps);
    return ok ? 0 : 1;
}
