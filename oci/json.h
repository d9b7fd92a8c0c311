/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A read-only JSON tree and a JSON writer: the only face of the JSON backend
 * (yajl) that the rest of oci/ sees.  Swapping the backend means rewriting
 * json_read.c only (json_write.c, the writer, is our own).
 *
 * A parsed tree is strict: valid UTF-8, no comments, no trailing garbage,
 * at most OCI_JSON_MAX_DEPTH nested arrays/objects, and no object with the
 * same key twice.  Every node knows its parent, so an error about a node can
 * name its path ("process.args[0]").
 */
#ifndef OCI_JSON_H
#define OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "void.h"

#define OCI_JSON_MAX_DEPTH 64

enum oci_json_type {
    OCI_JSON_NULL,
    OCI_JSON_BOOL,
    OCI_JSON_NUMBER,
    OCI_JSON_STRING,
    OCI_JSON_ARRAY,
    OCI_JSON_OBJECT,
};

struct oci_json;

/* Parse `len` bytes of `text` (no NUL terminator needed).  Errors read
 * "invalid JSON: <why> (near line L, column C)" or "<path>: duplicate key \"k\"". */
int oci_json_parse(const char *text, size_t len, struct oci_json **root, vd_error **err);
/* The same, with the member at `skip` (a NULL-terminated list of keys from
 * the root object down, e.g. {"linux", "seccomp", "syscalls", NULL}) left
 * out of the tree.  Its value is not read: a light scan finds its bytes and
 * yajl is fed "null" in their place (when what it is fed does not parse,
 * the whole text is parsed, and its errors reported); so nothing within it
 * is checked, nor a repeat of its key.  Only for a text parsed whole
 * before (a config copy): what a caller does not need costs nothing. */
int oci_json_parse_without(const char *text, size_t len, const char *const *skip,
                           struct oci_json **root, vd_error **err);
void oci_json_free(struct oci_json *root);

enum oci_json_type oci_json_type(const struct oci_json *v);

/* Arrays and objects: number of elements or members (0 for anything else),
 * and the i-th element or member value. */
size_t oci_json_len(const struct oci_json *v);
const struct oci_json *oci_json_item(const struct oci_json *v, size_t i);
/* Key of the i-th member of an object; *len counts bytes, a key may hold a NUL. */
const char *oci_json_key(const struct oci_json *obj, size_t i, size_t *len);
/* Member `key` of an object, or NULL when absent or `obj` is not an object. */
const struct oci_json *oci_json_get(const struct oci_json *obj, const char *key);

/* A string's bytes, NUL-terminated, or NULL for a non-string.  *len (if
 * not NULL) counts bytes; a string with "\u0000" has strlen() < *len. */
const char *oci_json_string(const struct oci_json *v, size_t *len);
/* The value of a boolean; false for anything else. */
bool oci_json_bool(const struct oci_json *v);
/* An integral number: -EINVAL for a non-number or a number with a fraction
 * or an exponent, -ERANGE when it does not fit. */
int oci_json_int64(const struct oci_json *v, int64_t *out);
int oci_json_uint64(const struct oci_json *v, uint64_t *out);

/* The path of `v` ("mounts[2].destination", "(root)" for the root), or of
 * its member `key` when key is not NULL.  Keys that are not identifiers are
 * quoted: annotations["org.example/x"].  Returns NULL when out of memory. */
char *oci_json_path(const struct oci_json *v, const char *key);
/* The escape of byte `c` in a JSON string (RFC 8259 section 7), written
 * to `buf`: \" and \\, \n \r \t as Go's encoding/json writes them, and
 * \u00XX for any other control byte (below 0x20, and DEL so that text stays
 * printable); NULL when `c` stands for itself.  The one
 * rule of every JSON string voidoci writes (json_write.c). */
const char *oci_json_escape(unsigned char c, char buf[8]);
/* `s` quoted by that rule, so that user text in a message stays on one
 * line.  Returns NULL when out of memory. */
char *oci_json_quote(const char *s, size_t len);

/* ---- writing ------------------------------------------------------------ */

/* JSON text built call by call, formatted as Go's encoding/json does it
 * (what runc prints): compact, or with `pretty` one member per line indented
 * by two spaces, `{}` and `[]` when empty.  Calls never fail one by one:
 * the first problem (a string that is not valid UTF-8, a key where a value
 * belongs, out of memory) is kept and reported by oci_json_writer_finish. */
struct oci_json_writer;

/* NULL when out of memory. */
struct oci_json_writer *oci_json_writer_new(bool pretty);
void oci_json_writer_free(struct oci_json_writer *w);

void oci_json_write_begin_object(struct oci_json_writer *w);
void oci_json_write_end_object(struct oci_json_writer *w);
void oci_json_write_begin_array(struct oci_json_writer *w);
void oci_json_write_end_array(struct oci_json_writer *w);
/* The key of the next member of the innermost object. */
void oci_json_write_key(struct oci_json_writer *w, const char *key);
void oci_json_write_string(struct oci_json_writer *w, const char *s);
void oci_json_write_int(struct oci_json_writer *w, int64_t n);
void oci_json_write_uint(struct oci_json_writer *w, uint64_t n);
void oci_json_write_bool(struct oci_json_writer *w, bool b);
void oci_json_write_null(struct oci_json_writer *w);

/* The finished text (one complete value, no newline after it), NUL-
 * terminated, *len (if not NULL) its length; free() it.  NULL with *err
 * set (`write JSON: "bundle": not valid UTF-8`) after any problem.  Frees w
 * either way. */
char *oci_json_writer_finish(struct oci_json_writer *w, size_t *len, vd_error **err);

static inline void oci_json_writer_freep(struct oci_json_writer **w)
{
    oci_json_writer_free(*w);
}
#define _cleanup_json_writer_ __attribute__((cleanup(oci_json_writer_freep)))

static inline void oci_json_freep(struct oci_json **v)
{
    oci_json_free(*v);
}
#define _cleanup_json_ __attribute__((cleanup(oci_json_freep)))

#endif
