/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON lines of `events`: runc's event objects, {"type","id","data"}. */
#ifndef OCI_EVENTS_H
#define OCI_EVENTS_H

#include "void.h"

/* {"type":"stats","id":ID,"data":{cpu, memory, pids, blkio, hugetlb}} with
 * runc's member names and its omitempty rules (types/events.go), map keys
 * sorted as Go prints them.  One line, no newline; free() it.  NULL with
 * *err set on failure. */
char *oci_event_stats_json(const char *id, const struct vd_cgroup_stats *s, vd_error **err);
/* {"type":"oom","id":ID}: the OOM killer killed a process of the container. */
char *oci_event_oom_json(const char *id, vd_error **err);

#endif
