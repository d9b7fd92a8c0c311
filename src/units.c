/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes and durations on the command line (`update --memory 32m`,
 * `events --interval 500ms`), read the way runc's Go libraries read them
 * so that a command line written for runc means the same here. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "units.h"

/* Digits, then optionally "." and digits, into *value; *end after them.
 * false when there is no digit at all. */
static bool parse_decimal(const char *s, long double *value, const char **end)
{
    long double v = 0, scale = 1;
    bool any = false;
    for (; isdigit((unsigned char)*s); s++, any = true)
        v = v * 10 + (*s - '0');
    if (*s == '.') {
        s++;
        for (; isdigit((unsigned char)*s); s++, any = true) {
            scale /= 10;
            v += (*s - '0') * scale;
        }
    }
    *value = v;
    *end = s;
    return any;
}

int parse_ram_bytes(const char *s, int64_t *out)
{
    if (strcmp(s, "-1") == 0) {
        *out = -1;
        return 0;
    }
    long double v;
    const char *p;
    if (!parse_decimal(s, &v, &p))
        return -1;
    if (*p == ' ')
        p++;
    static const char units[] = "kmgtp";
    long double mult = 1;
    const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
    if (u) {
        for (const char *k = units; k <= u; k++)
            mult *= 1024;
        p++;
    }
    if (*p == 'i' || *p == 'I')
        p++;
    if (*p == 'b' || *p == 'B')
        p++;
    if (*p != '\0')
        return -1;
    long double bytes = v * mult;
    if (bytes >= 9223372036854775807.0L)
        return -1;
    *out = (int64_t)bytes;
    return 0;
}

int parse_go_duration(const char *s, int64_t *ns)
{
    static const struct {
        const char *name;
        long double ns;
    } units[] = {
        /* longer names first: "ms" before "m", "ns" before a bare number */
        {"ns", 1},       {"us", 1e3},      {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
        {"ms", 1e6},     {"s", 1e9},       {"m", 60e9},        {"h", 3600e9},
    };
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (*s == '\0')
        return -1;
    long double total = 0;
    while (*s) {
        long double v;
        const char *p;
        if (!parse_decimal(s, &v, &p))
            return -1;
        size_t i = 0;
        while (i < sizeof(units) / sizeof(units[0]) &&
               strncmp(p, units[i].name, strlen(units[i].name)) != 0)
            i++;
        if (i == sizeof(units) / sizeof(units[0]))
            return -1; /* Go requires a unit after every number but a lone 0 */
        total += v * units[i].ns;
        s = p + strlen(units[i].name);
    }
    if (total >= 9223372036854775807.0L)
        return -1;
    *ns = (int64_t)total;
    return 0;
}
