/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.apparmorProfile and process.selinuxLabel (spec_lsm.c) ->
 * libvoid/lsm.c. */
#include "translate.h"

int oci_translate_lsm(const struct oci_process *p, vd_builder *b, vd_error **err)
{
    /* An empty string asks for nothing (runc: the runtime's default). */
    if (p->apparmor_profile && p->apparmor_profile[0] &&
        vd_builder_set_apparmor_profile(b, p->apparmor_profile, err) < 0)
        return vd_error_prefix(err, "process.apparmorProfile");
    /* Where SELinux is off a label is a no-op, as crun and podman take it;
     * the command says so in a debug line (log_ignored_selinux_labels). */
    if (p->selinux_label && p->selinux_label[0] && vd_selinux_enabled() &&
        vd_builder_set_selinux_label(b, p->selinux_label, err) < 0)
        return vd_error_prefix(err, "process.selinuxLabel");
    return 0;
}
