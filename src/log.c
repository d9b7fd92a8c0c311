/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: one line on stderr per message, and one line in the --log file. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "utils.h"
#include "voidoci.h"

/* The options captured by log_init; main's strings outlive every call. */
static struct {
    const char *path;
    bool json;
    bool debug;
} log_opts;

void log_init(const struct global_opts *g)
{
    log_opts.path = g->log_path;
    log_opts.json = g->log_json;
    log_opts.debug = g->debug;
}


char *log_json_escape(const char *s)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (out == NULL)
        return NULL;

    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    while (*p) {
        if (*p < 0x80) {
            char esc[8];
            if (oci_json_escape(*p, esc))
                fputs(esc, out);
            else
                fputc(*p, out);
            p++;
            continue;
        }
        size_t n = vd_utf8_length(p, (size_t)(end - p));
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
        } else {
            fwrite(p, 1, n, out);
            p += n;
        }
    }
    if (fclose(out) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}


static void format_rfc3339_now(char buf[32])
{
    struct tm tm;
    time_t now = time(NULL);
    if (gmtime_r(&now, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(buf, "1970-01-01T00:00:00Z");
}

/* {"level":..,"msg":..,"time":..} as runc writes it, or logrus's text form:
 * time="..." level=error msg="...". */
static char *format_file_line(const char *level, const char *msg)
{
    char now[32];
    format_rfc3339_now(now);
    _cleanup_free_ char *escaped = log_json_escape(msg);
    if (escaped == NULL)
        return NULL;

    char *line = NULL;
    int r;
    if (log_opts.json)
        r = asprintf(&line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", level, escaped,
                     now);
    else
        r = asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, escaped);
    return r < 0 ? NULL : line;
}

/* Opened per line so that no log fd exists for a container to inherit; one
 * write(2) per line keeps lines whole when processes share the file. */
static void write_log_file(const char *level, const char *msg)
{
    _cleanup_free_ char *line = format_file_line(level, msg);
    if (line == NULL)
        return;
    _cleanup_close_ int fd =
        open(log_opts.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        dprintf(STDERR_FILENO, "voidoci: warning: open log file \"%s\": %s\n", log_opts.path,
                strerror(errno));
        return;
    }
    vd_write_all(fd, line, strlen(line));
}

static void write_stderr(const char *label, const char *msg)
{
    _cleanup_free_ char *line = NULL;
    if (asprintf(&line, "voidoci: %s%s\n", label, msg) < 0)
        return;
    vd_write_all(STDERR_FILENO, line, strlen(line));
}

__attribute__((format(printf, 4, 0))) static void
log_message(const char *level, const char *label, bool to_file, const char *fmt, va_list ap)
{
    int saved_errno = errno;
    _cleanup_free_ char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) >= 0) {
        write_stderr(label, msg);
        if (log_opts.path && to_file)
            write_log_file(level, msg);
    }
    errno = saved_errno;
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_message("error", "", true, fmt, ap);
    va_end(ap);
}

void log_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_message("warning", "warning: ", log_opts.debug, fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    if (!log_opts.debug)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_message("debug", "debug: ", true, fmt, ap);
    va_end(ap);
}
