/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/units.c: sizes as runc's --memory takes them, Go durations as
 * events --interval does. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "units.h"
#include "check.h"

static bool ram(const char *s, int64_t want)
{
    int64_t v = 0;
    return parse_ram_bytes(s, &v) == 0 && v == want;
}

static bool ram_bad(const char *s)
{
    int64_t v = 0;
    return parse_ram_bytes(s, &v) < 0;
}

static bool dur(const char *s, int64_t want)
{
    int64_t v = 0;
    return parse_go_duration(s, &v) == 0 && v == want;
}

static bool dur_bad(const char *s)
{
    int64_t v = 0;
    return parse_go_duration(s, &v) < 0;
}

int main(void)
{
    CHECK(ram("4096", 4096));
    CHECK(ram("32m", 33554432));
    CHECK(ram("32M", 33554432));
    CHECK(ram("32MB", 33554432));
    CHECK(ram("32MiB", 33554432));
    CHECK(ram("32 mb", 33554432));
    CHECK(ram("1.5g", 1610612736));
    CHECK(ram("2k", 2048));
    CHECK(ram("1t", 1099511627776LL));
    CHECK(ram("10b", 10));
    CHECK(ram("-1", -1));
    CHECK(ram_bad(""));
    CHECK(ram_bad("m"));
    CHECK(ram_bad("-2"));
    CHECK(ram_bad("12zb"));
    CHECK(ram_bad("32 m b x"));
    CHECK(ram_bad("0x10"));
    CHECK(ram_bad("1e3"));
    CHECK(ram_bad("9000000p"));

    CHECK(dur("5s", 5000000000LL));
    CHECK(dur("500ms", 500000000LL));
    CHECK(dur("1m30s", 90000000000LL));
    CHECK(dur("1.5h", 5400000000000LL));
    CHECK(dur("250us", 250000));
    CHECK(dur("250\xc2\xb5s", 250000));
    CHECK(dur("10ns", 10));
    CHECK(dur("0", 0));
    CHECK(dur_bad(""));
    CHECK(dur_bad("5"));
    CHECK(dur_bad("s"));
    CHECK(dur_bad("-1s"));
    CHECK(dur_bad("5 s"));
    CHECK(dur_bad("5d"));

    return check_summary("test_units");
}
