/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network: a new network namespace has only "lo", and it is down.
 * Bringing it up is the one change made there (as runc does); anything more
 * is the caller's, through its own steps.  Done over NETLINK_ROUTE with
 * libmnl, checking the kernel's acknowledgement. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* MNL_SOCKET_BUFFER_SIZE is a page or 8 KiB, picked at run time. */
#define NETLINK_BUFFER_SIZE 8192

static void mnl_socket_closep(struct mnl_socket **nl)
{
    if (*nl)
        mnl_socket_close(*nl);
}

/* Send one request with NLM_F_ACK and wait for its acknowledgement: 0, or
 * -1 with errno (the kernel's error for a refused request). */
static int netlink_request(struct mnl_socket *nl, struct nlmsghdr *req)
{
    if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
        return -1;
    char buf[NETLINK_BUFFER_SIZE];
    unsigned int portid = mnl_socket_get_portid(nl);
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n < 0)
            return -1;
        /* mnl_cb_run turns an NLMSG_ERROR into -1 with errno, and an ACK
         * (error 0) into MNL_CB_STOP. */
        int r = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, NULL, NULL);
        if (r <= MNL_CB_STOP)
            return r < 0 ? -1 : 0;
    }
}

static int set_link_up(struct mnl_socket *nl, unsigned int ifindex)
{
    char buf[NETLINK_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = (uint32_t)time(NULL);
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = (int)ifindex;
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = IFF_UP;
    return netlink_request(nl, nlh);
}

int vd_child_bring_up_loopback(const vd_builder *b, vd_error **err)
{
    if (!b->loopback_up || b->ns[VD_NS_NET].mode != VD_NS_MODE_NEW)
        return 0;
    unsigned int lo = if_nametoindex("lo");
    if (lo == 0)
        return vd_error_set(err, errno, "bring up \"lo\": find its index");
    __attribute__((cleanup(mnl_socket_closep))) struct mnl_socket *nl =
        mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (nl == NULL)
        return vd_error_set(err, errno, "bring up \"lo\": open a NETLINK_ROUTE socket");
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
        return vd_error_set(err, errno, "bring up \"lo\": bind the netlink socket");
    if (set_link_up(nl, lo) < 0)
        return vd_error_set(err, errno, "bring up \"lo\": RTM_NEWLINK");
    return 0;
}
