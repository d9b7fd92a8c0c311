/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.apparmorProfile and process.selinuxLabel: the security labels
 * of the process (translate_lsm.c hands them to libvoid/lsm.c). */
#include <stdlib.h>

#include "spec_internal.h"

int spec_parse_lsm(vd_error **err, const struct oci_json *process, struct oci_process *p)
{
    int r = spec_opt_string(err, process, "apparmorProfile", &p->apparmor_profile);
    if (r == 0)
        r = spec_opt_string(err, process, "selinuxLabel", &p->selinux_label);
    return r;
}

void spec_lsm_free(struct oci_process *p)
{
    free(p->apparmor_profile);
    free(p->selinux_label);
}
