/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources as one table (spec_resources.c): a row a field, giving
 * its JSON path, how it is read and checked, where it goes in
 * struct oci_resources and in libvoid's struct vd_cgroup_resources, and
 * whether a zero means "not set".  The reader (spec_resources.c), the
 * translation, the error paths and explain's listing (translate_resources.c)
 * all walk it, so a new scalar field is a row here plus its members.
 */
#ifndef OCI_RESOURCES_TABLE_H
#define OCI_RESOURCES_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"
#include "void.h"

struct oci_json;

enum oci_res_kind {
    OCI_RES_I64,      /* integer >= min (-1: "no limit") -> oci_opt_i64 -> vd_opt */
    OCI_RES_U64,      /* integer 0..max -> oci_opt_u64 -> vd_opt */
    OCI_RES_WEIGHT,   /* 0 or 10..1000 -> oci_opt_u64 -> vd_opt */
    OCI_RES_BOOL,     /* true/false with "given" flag -> has_to/to */
    OCI_RES_FLAG,     /* true/false, false when absent -> bool */
    OCI_RES_CPU_LIST, /* "0-3,7" ("" is absent) -> char * -> const char * */
    OCI_RES_ARRAY,    /* an array, each item read by `parse_item` into `item_size` */
    OCI_RES_OBJECT,   /* an object keyed by name, read by `parse` */
};

/* Where a row's value is not written to libvoid (memory.kernel). */
#define OCI_RES_NOWHERE SIZE_MAX

struct oci_res_field {
    const char *group;  /* member of linux.resources holding it, NULL: itself */
    const char *key;    /* member name in the group */
    const char *name;   /* path under linux.resources, as errors and explain say it */
    enum oci_res_kind kind;
    int64_t min;        /* OCI_RES_I64 */
    uint64_t max;       /* OCI_RES_I64 (INT64_MAX when none), OCI_RES_U64 */
    bool required;      /* absent is an error ("is required") */
    bool zero_unset;    /* 0 asks nothing: Docker sends zeros, runc skips them */
    size_t at, has_at;  /* offsetof in struct oci_resources (has_at: OCI_RES_BOOL) */
    size_t count_at;    /* OCI_RES_ARRAY, OCI_RES_OBJECT: offsetof its size_t count */
    size_t to, has_to;  /* offsetof in struct vd_cgroup_resources, or OCI_RES_NOWHERE */
    enum vd_cgroup_field field; /* what vd_cgroup_set names on failure */
    int throttle;       /* a blockIO throttle list: its kind */
    size_t item_size;
    int (*parse_item)(vd_error **err, const struct oci_json *v, void *items, size_t i);
    int (*parse)(vd_error **err, const struct oci_json *v, struct oci_resources *res);
};

extern const struct oci_res_field oci_res_fields[];
extern const size_t oci_n_res_fields;

/* The row vd_cgroup_set's `field` names (`throttle` picks among the
 * blockIO throttle lists), or NULL for VD_CG_NONE. */
const struct oci_res_field *oci_res_field_of(enum vd_cgroup_field field, int throttle);

#endif
