/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON text out: the one escape rule of a JSON string (oci_json_escape),
 * the quoting of user text in messages (oci_json_quote), and the writer
 * behind json.h.
 *
 * The writer is not yajl_gen: runc's output comes from Go's encoding/json,
 * and yajl_gen's pretty form differs from it (an empty object spans two
 * lines), so the few lines that write JSON are our own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utils.h"

/* ---- escaping ------------------------------------------------------------ */

const char *oci_json_escape(unsigned char c, char buf[8])
{
    static const char shorts[] = {['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r',
                                  ['\t'] = 't'};
    if (c < sizeof(shorts) && shorts[c])
        snprintf(buf, 8, "\\%c", shorts[c]);
    else if (c < 0x20 || c == 0x7f)
        snprintf(buf, 8, "\\u%04x", c);
    else
        return NULL;
    return buf;
}

char *oci_json_quote(const char *s, size_t len)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    if (f == NULL)
        return NULL;
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        char esc[8];
        if (oci_json_escape((unsigned char)s[i], esc))
            fputs(esc, f);
        else
            fputc(s[i], f);
    }
    fputc('"', f);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- writing ------------------------------------------------------------- */

struct writer_level {
    bool object;
    bool has_key; /* object: a key waits for its value */
    size_t count; /* members or elements so far */
};

struct oci_json_writer {
    char *buf;
    size_t len, cap;
    bool pretty;
    bool done; /* the top-level value is complete */
    bool oom;
    char *failure; /* the first problem, or NULL */
    char *last_key; /* names the value in a message */
    unsigned depth;
    struct writer_level levels[OCI_JSON_MAX_DEPTH];
};

struct oci_json_writer *oci_json_writer_new(bool pretty)
{
    struct oci_json_writer *w = calloc(1, sizeof(*w));
    if (w)
        w->pretty = pretty;
    return w;
}

void oci_json_writer_free(struct oci_json_writer *w)
{
    if (w == NULL)
        return;
    free(w->buf);
    free(w->failure);
    free(w->last_key);
    free(w);
}

static bool writer_failed(const struct oci_json_writer *w)
{
    return w->oom || w->failure;
}

__attribute__((format(printf, 2, 3))) static void writer_fail(struct oci_json_writer *w,
                                                              const char *fmt, ...)
{
    if (writer_failed(w))
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&w->failure, fmt, ap) < 0) {
        w->failure = NULL;
        w->oom = true;
    }
    va_end(ap);
}

static void put(struct oci_json_writer *w, const char *s, size_t n)
{
    if (writer_failed(w))
        return;
    if (w->cap - w->len <= n) { /* keep room for the NUL */
        size_t cap = w->cap ? w->cap : 256;
        while (cap - w->len <= n)
            cap *= 2;
        char *bigger = realloc(w->buf, cap);
        if (bigger == NULL) {
            w->oom = true;
            return;
        }
        w->buf = bigger;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void put_str(struct oci_json_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_newline_indent(struct oci_json_writer *w, unsigned depth)
{
    if (!w->pretty)
        return;
    put(w, "\n", 1);
    for (unsigned i = 0; i < depth; i++)
        put(w, "  ", 2);
}


static bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = vd_utf8_length(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* What names a bad string in a message: its key, else "a string". */
static void fail_not_utf8(struct oci_json_writer *w, bool is_key)
{
    if (is_key || w->depth == 0 || !w->levels[w->depth - 1].object || w->last_key == NULL) {
        writer_fail(w, "%s is not valid UTF-8", is_key ? "a key" : "a string");
        return;
    }
    _cleanup_free_ char *quoted = oci_json_quote(w->last_key, strlen(w->last_key));
    if (quoted == NULL)
        w->oom = true;
    else
        writer_fail(w, "%s: not valid UTF-8", quoted);
}

static void put_quoted(struct oci_json_writer *w, const char *s, bool is_key)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len)) {
        fail_not_utf8(w, is_key);
        return;
    }
    put(w, "\"", 1);
    size_t start = 0; /* of the run of bytes that need no escape */
    for (size_t i = 0; i < len; i++) {
        char esc[8];
        if (oci_json_escape((unsigned char)s[i], esc) == NULL)
            continue;
        put(w, s + start, i - start);
        put_str(w, esc);
        start = i + 1;
    }
    put(w, s + start, len - start);
    put(w, "\"", 1);
}

/* Before any value: the separator and indent its place needs. */
static bool begin_value(struct oci_json_writer *w)
{
    if (writer_failed(w))
        return false;
    if (w->depth == 0) {
        if (w->done)
            writer_fail(w, "a second top-level value");
        return !writer_failed(w);
    }
    struct writer_level *l = &w->levels[w->depth - 1];
    if (l->object) {
        if (!l->has_key)
            writer_fail(w, "an object member without a key");
        l->has_key = false;
    } else {
        if (l->count > 0)
            put(w, ",", 1);
        put_newline_indent(w, w->depth);
        l->count++;
    }
    return !writer_failed(w);
}

static void end_value(struct oci_json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
}

void oci_json_write_key(struct oci_json_writer *w, const char *key)
{
    if (writer_failed(w))
        return;
    struct writer_level *l = w->depth ? &w->levels[w->depth - 1] : NULL;
    if (l == NULL || !l->object || l->has_key) {
        writer_fail(w, "key \"%s\" where a value belongs", key);
        return;
    }
    free(w->last_key);
    w->last_key = strdup(key);
    if (w->last_key == NULL) {
        w->oom = true;
        return;
    }
    if (l->count > 0)
        put(w, ",", 1);
    put_newline_indent(w, w->depth);
    put_quoted(w, key, true);
    put_str(w, w->pretty ? ": " : ":");
    l->count++;
    l->has_key = true;
}

static void begin_container(struct oci_json_writer *w, bool object)
{
    if (!begin_value(w))
        return;
    if (w->depth == OCI_JSON_MAX_DEPTH) {
        writer_fail(w, "nested deeper than %d levels", OCI_JSON_MAX_DEPTH);
        return;
    }
    put(w, object ? "{" : "[", 1);
    w->levels[w->depth++] = (struct writer_level){.object = object};
}

static void end_container(struct oci_json_writer *w, bool object)
{
    if (writer_failed(w))
        return;
    const struct writer_level *l = w->depth ? &w->levels[w->depth - 1] : NULL;
    if (l == NULL || l->object != object || l->has_key) {
        writer_fail(w, "unbalanced end of %s", object ? "object" : "array");
        return;
    }
    bool empty = l->count == 0;
    w->depth--;
    if (!empty)
        put_newline_indent(w, w->depth);
    put(w, object ? "}" : "]", 1);
    end_value(w);
}

void oci_json_write_begin_object(struct oci_json_writer *w)
{
    begin_container(w, true);
}

void oci_json_write_end_object(struct oci_json_writer *w)
{
    end_container(w, true);
}

void oci_json_write_begin_array(struct oci_json_writer *w)
{
    begin_container(w, false);
}

void oci_json_write_end_array(struct oci_json_writer *w)
{
    end_container(w, false);
}

static void write_scalar(struct oci_json_writer *w, const char *text)
{
    if (!begin_value(w))
        return;
    put_str(w, text);
    end_value(w);
}

void oci_json_write_string(struct oci_json_writer *w, const char *s)
{
    if (!begin_value(w))
        return;
    put_quoted(w, s, false);
    end_value(w);
}

void oci_json_write_int(struct oci_json_writer *w, int64_t n)
{
    char text[32];
    snprintf(text, sizeof(text), "%" PRId64, n);
    write_scalar(w, text);
}

void oci_json_write_uint(struct oci_json_writer *w, uint64_t n)
{
    char text[32];
    snprintf(text, sizeof(text), "%" PRIu64, n);
    write_scalar(w, text);
}

void oci_json_write_bool(struct oci_json_writer *w, bool b)
{
    write_scalar(w, b ? "true" : "false");
}

void oci_json_write_null(struct oci_json_writer *w)
{
    write_scalar(w, "null");
}

char *oci_json_writer_finish(struct oci_json_writer *w, size_t *len, vd_error **err)
{
    char *text = NULL;
    if (w == NULL || w->oom)
        vd_error_set(err, ENOMEM, "write JSON");
    else if (w->failure)
        vd_error_set(err, 0, "write JSON: %s", w->failure);
    else if (!w->done || w->depth != 0)
        vd_error_set(err, 0, "write JSON: unfinished value");
    else {
        text = steal_pointer(&w->buf);
        if (len)
            *len = w->len;
    }
    oci_json_writer_free(w);
    return text;
}
