/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the config.json readers (spec*.c) only: typed reads of JSON
 * values that fail with "<path>: <problem>", and the per-section parsers.
 *
 * Every function returns 0 or a negative value with *err set.  A failed
 * read stores nothing, so the caller's struct stays freeable.
 */
#ifndef OCI_SPEC_INTERNAL_H
#define OCI_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "spec.h"

/* "<path of at, or of its member key>: <problem>" */
int spec_error(vd_error **err, const struct oci_json *at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "<path of at>: <problem> \"<value>\"", the value quoted to stay on one line */
int spec_error_value(vd_error **err, const struct oci_json *at, const char *problem,
                     const char *value);
int spec_oom(vd_error **err);

/* Member `key` of `obj`, or NULL when absent or null. */
const struct oci_json *spec_member(const struct oci_json *obj, const char *key);
/* Member `key` of `obj` that must be there ("is required") with the given
 * type ("expected an object"). */
int spec_require(vd_error **err, const struct oci_json *obj, const char *key,
                 enum oci_json_type type, const struct oci_json **out);
/* "expected a string" and so on unless v has the given type. */
int spec_expect(vd_error **err, const struct oci_json *v, enum oci_json_type type);

/* Conversions of one value. */
int spec_string(vd_error **err, const struct oci_json *v, char **out);
int spec_absolute_path(vd_error **err, const struct oci_json *v, char **out);
int spec_bool(vd_error **err, const struct oci_json *v, bool *out);
int spec_uint32(vd_error **err, const struct oci_json *v, uint32_t *out);
int spec_uint64(vd_error **err, const struct oci_json *v, uint64_t *out);
int spec_int64(vd_error **err, const struct oci_json *v, int64_t *out);
int spec_int_between(vd_error **err, const struct oci_json *v, int min, int max, int *out);
/* An array of objects: `item` reads element i of the array into
 * ((char *)items)[i * size] (earlier elements are there to compare with).
 * The array is allocated zeroed and stored in *(T **)out, its length in *n,
 * before the first element is read, so that a failure half way leaves it
 * freeable. */
typedef int (*spec_item_fn)(vd_error **err, const struct oci_json *v, void *items, size_t i);
int spec_array(vd_error **err, const struct oci_json *v, size_t size, void *out, size_t *n,
               spec_item_fn item);
/* The i-th key of object `obj`, refusing one with a NUL inside. */
int spec_member_key(vd_error **err, const struct oci_json *obj, size_t i, const char **key);
/* An array of strings as a NULL-terminated vector. */
int spec_strv(vd_error **err, const struct oci_json *v, bool absolute, char ***out, size_t *n);
/* An object of string values as key/value pairs, in document order. */
int spec_string_map(vd_error **err, const struct oci_json *v, struct oci_kv **out, size_t *n);

/* Optional members: absent or null leaves *out untouched. */
int spec_opt_string(vd_error **err, const struct oci_json *obj, const char *key, char **out);
int spec_opt_bool(vd_error **err, const struct oci_json *obj, const char *key, bool *out);

void spec_strv_free(char **v);
void spec_kv_free(struct oci_kv *kv, size_t n);

/* The sections, each in its own file. */
/* user_required: config.json's process needs "user"; exec's file may omit it. */
int spec_parse_process(vd_error **err, const struct oci_json *v, bool user_required,
                       struct oci_process **out);
void spec_process_free(struct oci_process *p);
/* The number of a capability spelled as the spec does ("CAP_CHOWN");
 * -1 for any other spelling or an unknown name. */
int spec_cap_value(const char *name, int *value);
int spec_parse_linux(vd_error **err, const struct oci_json *v, struct oci_linux **out);
/* An array of {containerID, hostID, size} (spec_linux.c). */
int spec_parse_id_mappings(vd_error **err, const struct oci_json *v,
                           struct oci_id_mapping **out, size_t *n);
void spec_linux_free(struct oci_linux *l);
int spec_parse_seccomp(vd_error **err, const struct oci_json *v, struct oci_seccomp **out);
void spec_seccomp_free(struct oci_seccomp *s);
/* process.scheduler, ioPriority, execCPUAffinity; linux.personality,
 * memoryPolicy (spec_sched.c).  What they stored is freed by the
 * *_free functions, also after a failure. */
int spec_parse_sched(vd_error **err, const struct oci_json *process, struct oci_process *p);
void spec_sched_free(struct oci_process *p);
int spec_parse_linux_sched(vd_error **err, const struct oci_json *linux_, struct oci_linux *l);
void spec_linux_sched_free(struct oci_linux *l);
/* process.apparmorProfile, selinuxLabel (spec_lsm.c). */
int spec_parse_lsm(vd_error **err, const struct oci_json *process, struct oci_process *p);
void spec_lsm_free(struct oci_process *p);
/* linux.timeOffsets, netDevices, intelRdt of the linux object into l
 * (spec_time_offsets.c, spec_network.c, spec_resctrl.c); what they stored
 * is freed by the *_free functions, also after a failure. */
int spec_parse_time_offsets(vd_error **err, const struct oci_json *linux_, struct oci_linux *l);
int spec_parse_net_devices(vd_error **err, const struct oci_json *linux_, struct oci_linux *l);
void spec_net_devices_free(struct oci_linux *l);
int spec_parse_intel_rdt(vd_error **err, const struct oci_json *linux_, struct oci_linux *l);
void spec_intel_rdt_free(struct oci_linux *l);
/* linux.resources (spec_resources.c). */
int spec_parse_resources(vd_error **err, const struct oci_json *v, struct oci_resources **out);
void spec_resources_free(struct oci_resources *res);
/* Fills spec->hooks[] and n_hooks[]; what it stored is freed by
 * spec_hooks_free, also after a failure. */
int spec_parse_hooks(vd_error **err, const struct oci_json *v, struct oci_spec *spec);
void spec_hooks_free(struct oci_spec *spec);

#endif
