/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "void.h"

static int error_return(int errnum)
{
    return errnum > 0 ? -errnum : -1;
}

int vd_error_set(vd_error **err, int errnum, const char *fmt, ...)
{
    if (err == NULL)
        return error_return(errnum);
    vd_error_free(err);

    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        size_t len = (size_t)n + 1;
        if (errnum)
            len += 2 + strlen(strerror(errnum));
        text = malloc(len);
        if (text) {
            va_start(ap, fmt);
            vsnprintf(text, (size_t)n + 1, fmt, ap);
            va_end(ap);
            if (errnum) {
                strcat(text, ": ");
                strcat(text, strerror(errnum));
            }
        }
    }
    vd_error *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        free(text);
        return error_return(errnum);
    }
    e->errnum = errnum;
    e->msg = text ? text : strdup("out of memory while reporting an error");
    *err = e;
    return error_return(errnum);
}

int vd_error_prefix(vd_error **err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL)
        return -1;
    vd_error *e = *err;
    char prefix[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    size_t len = strlen(prefix) + 2 + strlen(e->msg ? e->msg : "") + 1;
    char *text = malloc(len);
    if (text) {
        snprintf(text, len, "%s: %s", prefix, e->msg ? e->msg : "");
        free(e->msg);
        e->msg = text;
    }
    return error_return(e->errnum);
}

void vd_error_free(vd_error **err)
{
    if (err && *err) {
        free((*err)->msg);
        free(*err);
        *err = NULL;
    }
}

const char *vd_version(void)
{
    return VD_VERSION;
}
