/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON tree behind json.h, built from yajl's event parser.
 *
 * Not yajl_tree: it drops string lengths, so "/bin/sh\u0000x" would silently
 * become "/bin/sh", and it has no depth limit.  Building the tree from the
 * parse events lets us keep lengths, stop at OCI_JSON_MAX_DEPTH and find
 * duplicate keys while the path is at hand.
 * A tree lives in one arena (its nodes, keys, strings and item arrays),
 * freed at once: a config holds thousands of values (podman's seccomp
 * profile alone some 450 strings), and a malloc and a free for each were
 * most of the cost of a parse.
 * The writer and the one escape rule of JSON strings are in json_write.c;
 * the scan that finds a member to leave out before yajl reads it, in
 * json_scan.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json.h"
#include "json_scan.h"
#include "utils.h"

struct json_key {
    char *bytes;
    size_t len;
};

/* A chunk of the arena; big requests get a chunk of their own. */
struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    _Alignas(8) unsigned char data[];
};
#define ARENA_CHUNK 32768
#define ARENA_ALIGN 8 /* every object of the tree needs at most this */

struct oci_json {
    enum oci_json_type type;
    struct arena_chunk *arena; /* the root's: all of the tree */
    struct oci_json *parent;
    size_t index; /* position in the parent */
    union {
        bool boolean;
        struct {
            char *bytes; /* strings unescaped; numbers as written */
            size_t len;
        } text;
        struct {
            struct oci_json **items;
            struct json_key *keys; /* objects only */
            size_t len, cap;
        } c;
    } u;
};

/* ---- building ------------------------------------------------------------ */

struct builder {
    struct arena_chunk *arena;
    struct oci_json *root;
    struct oci_json *open; /* innermost unfinished array or object */
    unsigned depth;
    /* oci_json_parse_without: the member left out, and where we stand. */
    const char *const *skip;
    unsigned skip_len;
    unsigned on_path;  /* open objects, from the root, on the way to it */
    bool next_on_path; /* the key just read leads on the way */
    bool skip_next;    /* the key just read names the member left out */
    unsigned skipping; /* inside its value: the arrays and objects open there */
    vd_error **err;
    int failure; /* when a callback cancelled the parse: what vd_error_set returned */
};

static void arena_free(struct arena_chunk *c)
{
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
}

/* `n` bytes, aligned, from the arena; NULL when out of memory. */
static void *arena_alloc(struct arena_chunk **arena, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_chunk *c = *arena;
    if (c && c->size - c->used >= n) {
        void *p = c->data + c->used;
        c->used += n;
        return p;
    }
    size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
    struct arena_chunk *fresh = malloc(sizeof(*fresh) + size);
    if (fresh == NULL)
        return NULL;
    *fresh = (struct arena_chunk){.used = n, .size = size};
    if (c && size != ARENA_CHUNK) { /* behind the current chunk, which keeps its room */
        fresh->next = c->next;
        c->next = fresh;
    } else {
        fresh->next = c;
        *arena = fresh;
    }
    return fresh->data;
}

/* Callbacks return 0 to cancel the parse, after saying why in *err. */
static int builder_fail_oom(struct builder *b)
{
    b->failure = vd_error_set(b->err, ENOMEM, "parse JSON");
    return 0;
}

/* Room for one more item (and key); the old arrays stay in the arena. */
static int grow_container(struct builder *b, struct oci_json *c)
{
    if (c->u.c.len < c->u.c.cap)
        return 0;
    size_t cap = c->u.c.cap ? c->u.c.cap * 2 : 4;
    if (cap > SIZE_MAX / sizeof(struct json_key))
        return -1;
    struct oci_json **items = arena_alloc(&b->arena, cap * sizeof(*items));
    if (items == NULL)
        return -1;
    if (c->u.c.len)
        memcpy(items, c->u.c.items, c->u.c.len * sizeof(*items));
    c->u.c.items = items;
    if (c->type == OCI_JSON_OBJECT) {
        struct json_key *keys = arena_alloc(&b->arena, cap * sizeof(*keys));
        if (keys == NULL)
            return -1;
        if (c->u.c.len)
            memcpy(keys, c->u.c.keys, c->u.c.len * sizeof(*keys));
        c->u.c.keys = keys;
    }
    c->u.c.cap = cap;
    return 0;
}

/* Whether the value that begins now is left out (1), and so is every
 * event of it; 0 when it goes into the tree.  `opens`/`closes`: the event
 * opens or closes an array or object. */
static int left_out(struct builder *b, bool opens, bool closes)
{
    if (b->skipping) {
        b->skipping += opens;
        b->skipping -= closes;
        return 1;
    }
    if (b->skip_next) {
        b->skip_next = false;
        b->skipping = opens;
        return 1;
    }
    return 0;
}

/* Hang a new value under the open container: appended to an array, or into
 * the slot the preceding key reserved in an object. */
static struct oci_json *add_value(struct builder *b, enum oci_json_type type)
{
    b->next_on_path = false;
    struct oci_json *v = arena_alloc(&b->arena, sizeof(*v));
    if (v == NULL)
        return NULL;
    *v = (struct oci_json){.type = type};
    struct oci_json *c = b->open;
    if (c == NULL) {
        b->root = v;
        return v;
    }
    if (c->type == OCI_JSON_ARRAY) {
        if (grow_container(b, c) < 0)
            return NULL;
        c->u.c.len++;
    }
    v->parent = c;
    v->index = c->u.c.len - 1;
    c->u.c.items[v->index] = v;
    return v;
}

static char *copy_bytes(struct builder *b, const void *bytes, size_t len)
{
    char *s = len < SIZE_MAX ? arena_alloc(&b->arena, len + 1) : NULL;
    if (s) {
        memcpy(s, bytes, len);
        s[len] = '\0';
    }
    return s;
}

static int add_text(struct builder *b, enum oci_json_type type, const void *bytes, size_t len)
{
    if (left_out(b, false, false))
        return 1;
    char *copy = copy_bytes(b, bytes, len);
    if (copy == NULL)
        return builder_fail_oom(b);
    struct oci_json *v = add_value(b, type);
    if (v == NULL)
        return builder_fail_oom(b);
    v->u.text.bytes = copy;
    v->u.text.len = len;
    return 1;
}

static int on_null(void *ctx)
{
    if (left_out(ctx, false, false))
        return 1;
    return add_value(ctx, OCI_JSON_NULL) ? 1 : builder_fail_oom(ctx);
}

static int on_boolean(void *ctx, int value)
{
    if (left_out(ctx, false, false))
        return 1;
    struct oci_json *v = add_value(ctx, OCI_JSON_BOOL);
    if (v == NULL)
        return builder_fail_oom(ctx);
    v->u.boolean = value;
    return 1;
}

static int on_number(void *ctx, const char *text, size_t len)
{
    return add_text(ctx, OCI_JSON_NUMBER, text, len);
}

static int on_string(void *ctx, const unsigned char *text, size_t len)
{
    return add_text(ctx, OCI_JSON_STRING, text, len);
}

static int open_container(struct builder *b, enum oci_json_type type)
{
    if (left_out(b, true, false))
        return 1;
    if (b->depth == OCI_JSON_MAX_DEPTH) {
        b->failure = vd_error_set(b->err, 0, "invalid JSON: nested deeper than %d levels",
                                  OCI_JSON_MAX_DEPTH);
        return 0;
    }
    bool on_path = b->next_on_path;
    struct oci_json *v = add_value(b, type);
    if (v == NULL)
        return builder_fail_oom(b);
    b->open = v;
    b->depth++;
    /* The root object is on the way; below it, what the key said. */
    if (b->skip && (b->depth == 1 ? type == OCI_JSON_OBJECT : on_path))
        b->on_path++;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, OCI_JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, OCI_JSON_ARRAY);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    struct builder *b = ctx;
    struct oci_json *obj = b->open;
    if (b->skipping)
        return 1;
    b->next_on_path = false;
    if (b->on_path == b->depth && b->depth <= b->skip_len &&
        strlen(b->skip[b->depth - 1]) == len && memcmp(b->skip[b->depth - 1], key, len) == 0) {
        if (b->depth == b->skip_len) {
            b->skip_next = true;
            return 1;
        }
        b->next_on_path = true;
    }
    char *copy = copy_bytes(b, key, len);
    if (copy == NULL || grow_container(b, obj) < 0)
        return builder_fail_oom(b);
    obj->u.c.keys[obj->u.c.len] = (struct json_key){copy, len};
    obj->u.c.items[obj->u.c.len] = NULL;
    obj->u.c.len++;
    return 1;
}

static int compare_keys(const void *a, const void *b)
{
    const struct json_key *x = *(const struct json_key *const *)a;
    const struct json_key *y = *(const struct json_key *const *)b;
    int r = memcmp(x->bytes, y->bytes, x->len < y->len ? x->len : y->len);
    if (r == 0 && x->len != y->len)
        r = x->len < y->len ? -1 : 1;
    if (r == 0 && x != y) /* the keys array is in document order */
        r = x < y ? -1 : 1;
    return r;
}

/* The repeated key that comes first in the document, or NULL.  Sorting
 * keeps an object with many keys (annotations) from going quadratic. */
static const struct json_key *find_duplicate_key(const struct oci_json *obj, int *oom)
{
    size_t n = obj->u.c.len;
    if (n < 2)
        return NULL;
    _cleanup_free_ const struct json_key **sorted = calloc(n, sizeof(*sorted));
    if (sorted == NULL) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = &obj->u.c.keys[i];
    qsort(sorted, n, sizeof(*sorted), compare_keys);
    const struct json_key *first = NULL;
    for (size_t i = 1; i < n; i++) {
        const struct json_key *a = sorted[i - 1], *b = sorted[i];
        if (a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0 &&
            (first == NULL || b < first))
            first = b;
    }
    return first;
}

static int reject_duplicate_keys(struct builder *b, const struct oci_json *obj)
{
    int oom = 0;
    const struct json_key *dup = find_duplicate_key(obj, &oom);
    if (oom)
        return builder_fail_oom(b);
    if (dup == NULL)
        return 1;
    _cleanup_free_ char *path = oci_json_path(obj, NULL);
    _cleanup_free_ char *quoted = oci_json_quote(dup->bytes, dup->len);
    if (path == NULL || quoted == NULL)
        return builder_fail_oom(b);
    b->failure = vd_error_set(b->err, 0, "%s: duplicate key %s", path, quoted);
    return 0;
}

static int close_container(struct builder *b)
{
    if (left_out(b, false, true))
        return 1;
    if (b->on_path == b->depth && b->on_path > 0)
        b->on_path--;
    struct oci_json *c = b->open;
    b->open = c->parent;
    b->depth--;
    if (c->type == OCI_JSON_OBJECT)
        return reject_duplicate_keys(b, c);
    return 1;
}

static int on_end_map(void *ctx)
{
    return close_container(ctx);
}

static int on_end_array(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks build_callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

/* yajl's terse message ends in a newline; the user gets one line. */
static void make_single_line(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
}

/* 1-based line and column (in bytes) of text[offset]. */
static void locate(const char *text, size_t offset, size_t *line, size_t *column)
{
    size_t line_start = 0;
    *line = 1;
    for (size_t i = 0; i < offset; i++)
        if (text[i] == '\n') {
            (*line)++;
            line_start = i + 1;
        }
    *column = offset - line_start + 1;
}

static int report_syntax_error(yajl_handle h, const char *text, size_t len, size_t offset,
                               vd_error **err)
{
    unsigned char *why = yajl_get_error(h, 0, (const unsigned char *)text, len);
    if (why == NULL)
        return vd_error_set(err, ENOMEM, "parse JSON");
    make_single_line((char *)why);
    size_t line, column;
    locate(text, offset, &line, &column);
    int r = vd_error_set(err, 0, "invalid JSON: %s (near line %zu, column %zu)", (char *)why,
                         line, column);
    yajl_free_error(h, why);
    return r;
}

static int hex4(const char *s, size_t left)
{
    if (left < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Whether the text holds a \u (memchr for the backslashes: few texts have
 * many). */
static bool has_unicode_escape(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL && p + 1 < end) {
        if (p[1] == 'u')
            return true;
        p += 2;
    }
    return false;
}

/* yajl turns a "\ud800" without its pair into "?": the value would not be
 * the one written.  Find such an escape in text yajl accepted; returns its
 * offset, or len when there is none. */
static size_t find_lone_surrogate(const char *text, size_t len)
{
    if (!has_unicode_escape(text, len)) /* most texts: no pass over them */
        return len;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"') {
            in_string = !in_string;
        } else if (in_string && text[i] == '\\' && i + 1 < len) {
            if (text[i + 1] != 'u') {
                i++;
                continue;
            }
            int cp = hex4(text + i + 2, len - i - 2);
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return i;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                size_t next = i + 6;
                int low = next + 1 < len && text[next] == '\\' && text[next + 1] == 'u'
                              ? hex4(text + next + 2, len - next - 2) : -1;
                if (low < 0xDC00 || low > 0xDFFF)
                    return i;
                i = next + 5;
                continue;
            }
            i += 5;
        }
    }
    return len;
}

int oci_json_parse(const char *text, size_t len, struct oci_json **root, vd_error **err)
{
    return oci_json_parse_without(text, len, NULL, root, err);
}

/* yajl over `text` into `b`; with `cut`, the bytes in that range are fed as
 * "null" (the builder leaves that member out anyway), and a failure is
 * only returned, not described. */
static int run_yajl(struct builder *b, const char *text, size_t len, const size_t *cut,
                    vd_error **err)
{
    yajl_handle h = yajl_alloc(&build_callbacks, NULL, b);
    if (h == NULL)
        return vd_error_set(err, ENOMEM, "parse JSON");
    size_t error_offset = len; /* where yajl_complete_parse fails: the end */
    const unsigned char *u = (const unsigned char *)text;
    yajl_status status;
    if (cut) {
        status = yajl_parse(h, u, cut[0]);
        if (status == yajl_status_ok)
            status = yajl_parse(h, (const unsigned char *)"null", 4);
        if (status == yajl_status_ok)
            status = yajl_parse(h, u + cut[1], len - cut[1]);
    } else {
        status = yajl_parse(h, u, len);
    }
    if (status == yajl_status_ok)
        status = yajl_complete_parse(h);
    else /* yajl has usually consumed the offending byte, hence "near" */
        error_offset = yajl_get_bytes_consumed(h) ? yajl_get_bytes_consumed(h) - 1 : 0;
    int r = b->failure;
    if (r == 0 && status != yajl_status_ok)
        r = cut ? -EINVAL : report_syntax_error(h, text, len, error_offset, err);
    yajl_free(h);
    return r;
}

int oci_json_parse_without(const char *text, size_t len, const char *const *skip,
                           struct oci_json **root, vd_error **err)
{
    struct builder b = {.err = err, .skip = skip};
    while (skip && skip[b.skip_len])
        b.skip_len++;
    if (b.skip_len == 0)
        b.skip = NULL;
    /* The member's text not even read by yajl, when the scan finds it. */
    size_t cut[2];
    int r = -1;
    if (b.skip && json_scan_member(text, len, skip, b.skip_len, cut)) {
        vd_error *ignored = NULL;
        struct builder first = b;
        first.err = &ignored;
        r = run_yajl(&first, text, len, cut, &ignored);
        vd_error_free(&ignored);
        if (r == 0)
            b = first;
        else
            arena_free(first.arena);
        b.err = err;
    }
    if (r < 0)
        r = run_yajl(&b, text, len, NULL, err);
    size_t lone;
    if (r == 0 && (lone = find_lone_surrogate(text, len)) < len) {
        size_t line, column;
        locate(text, lone, &line, &column);
        r = vd_error_set(err, 0, "invalid JSON: \\u%.4s is half of a UTF-16 surrogate pair "
                         "(near line %zu, column %zu)", text + lone + 2, line, column);
    }
    if (r < 0) {
        arena_free(b.arena);
        return r;
    }
    if (b.root) /* always, as yajl rejects an empty text */
        b.root->arena = b.arena;
    *root = b.root;
    return 0;
}

/* `v` is the root of its tree (what oci_json_parse gave). */
void oci_json_free(struct oci_json *v)
{
    if (v)
        arena_free(v->arena);
}

/* ---- reading ------------------------------------------------------------- */

enum oci_json_type oci_json_type(const struct oci_json *v)
{
    return v->type;
}

static bool is_container(const struct oci_json *v)
{
    return v->type == OCI_JSON_ARRAY || v->type == OCI_JSON_OBJECT;
}

size_t oci_json_len(const struct oci_json *v)
{
    return is_container(v) ? v->u.c.len : 0;
}

const struct oci_json *oci_json_item(const struct oci_json *v, size_t i)
{
    return is_container(v) && i < v->u.c.len ? v->u.c.items[i] : NULL;
}

const char *oci_json_key(const struct oci_json *obj, size_t i, size_t *len)
{
    if (obj->type != OCI_JSON_OBJECT || i >= obj->u.c.len)
        return NULL;
    if (len)
        *len = obj->u.c.keys[i].len;
    return obj->u.c.keys[i].bytes;
}

const struct oci_json *oci_json_get(const struct oci_json *obj, const char *key)
{
    if (obj->type != OCI_JSON_OBJECT)
        return NULL;
    size_t len = strlen(key);
    for (size_t i = 0; i < obj->u.c.len; i++) {
        const struct json_key *k = &obj->u.c.keys[i];
        if (k->len == len && memcmp(k->bytes, key, len) == 0)
            return obj->u.c.items[i];
    }
    return NULL;
}

const char *oci_json_string(const struct oci_json *v, size_t *len)
{
    if (v->type != OCI_JSON_STRING)
        return NULL;
    if (len)
        *len = v->u.text.len;
    return v->u.text.bytes;
}

bool oci_json_bool(const struct oci_json *v)
{
    return v->type == OCI_JSON_BOOL && v->u.boolean;
}

/* yajl has checked the number grammar; a fraction or exponent is all that
 * can make it non-integral. */
static bool is_integral(const struct oci_json *v)
{
    return v->type == OCI_JSON_NUMBER && strpbrk(v->u.text.bytes, ".eE") == NULL;
}

int oci_json_int64(const struct oci_json *v, int64_t *out)
{
    if (!is_integral(v))
        return -EINVAL;
    errno = 0;
    long long n = strtoll(v->u.text.bytes, NULL, 10);
    if (errno == ERANGE)
        return -ERANGE;
    *out = n;
    return 0;
}

int oci_json_uint64(const struct oci_json *v, uint64_t *out)
{
    if (!is_integral(v))
        return -EINVAL;
    const char *digits = v->u.text.bytes;
    if (digits[0] == '-' && strcmp(digits, "-0") != 0) /* strtoull would wrap it */
        return -ERANGE;
    errno = 0;
    unsigned long long n = strtoull(digits, NULL, 10);
    if (errno == ERANGE)
        return -ERANGE;
    *out = n;
    return 0;
}

/* ---- naming -------------------------------------------------------------- */


static bool is_identifier(const char *s, size_t len)
{
    if (len == 0 || isdigit((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

static void write_member(FILE *f, const char *key, size_t len, bool first)
{
    if (is_identifier(key, len)) {
        if (!first)
            fputc('.', f);
        fwrite(key, 1, len, f);
    } else {
        _cleanup_free_ char *quoted = oci_json_quote(key, len);
        fprintf(f, "[%s]", quoted ? quoted : "\"?\"");
    }
}

/* Write the steps from the root down to v; returns whether any was written. */
static bool write_steps(FILE *f, const struct oci_json *v)
{
    if (v->parent == NULL)
        return false;
    bool any = write_steps(f, v->parent);
    if (v->parent->type == OCI_JSON_ARRAY) {
        fprintf(f, "[%zu]", v->index);
    } else {
        const struct json_key *k = &v->parent->u.c.keys[v->index];
        write_member(f, k->bytes, k->len, !any);
    }
    return true;
}

char *oci_json_path(const struct oci_json *v, const char *key)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    if (f == NULL)
        return NULL;
    bool any = write_steps(f, v);
    if (key)
        write_member(f, key, strlen(key), !any);
    else if (!any)
        fputs("(root)", f);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

