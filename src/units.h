/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Numbers with units on the command line, spelled as runc's Go libraries
 * take them. */
#ifndef VOIDOCI_UNITS_H
#define VOIDOCI_UNITS_H

#include <stdint.h>

/* A size in bytes as docker/go-units' RAMInBytes reads it: a number
 * (fraction allowed), an optional space, then an optional k, m, g, t or p
 * (any case, powers of 1024), an optional i and an optional b: "32m",
 * "1.5G", "64MiB", "4096".  "-1" is -1 (no limit), as runc's update takes
 * it.  0, or -1 for anything else or a value past INT64_MAX. */
int parse_ram_bytes(const char *s, int64_t *out);

/* A Go duration (time.ParseDuration) in nanoseconds: a sequence of decimal
 * numbers, each with a fraction allowed and a unit, ns, us (or µs), ms, s,
 * m or h: "5s", "500ms", "1m30s", "1.5h".  A lone "0" is 0; a sign is
 * refused (no command needs a negative one).  0, or -1. */
int parse_go_duration(const char *s, int64_t *ns);

#endif
