/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network: a new network namespace has only "lo", and it is down.
 * Bringing it up is the one change made there (as runc does), besides the
 * host devices the caller asks to move in; anything more is the caller's,
 * through its own steps.  Done over NETLINK_ROUTE with libmnl, checking the
 * kernel's acknowledgement. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

void vd_builder_set_loopback_up(vd_builder *b, bool on)
{
    b->loopback_up = on;
}

/* 1 to IFNAMSIZ-1 bytes without '/', ':' or white space, not "." or "..":
 * what the kernel accepts as an interface name. */
static bool is_ifname(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    return strpbrk(s, "/: \t\n\v\f\r") == NULL;
}

int vd_builder_add_net_device(vd_builder *b, const char *host_name, const char *name,
                              vd_error **err)
{
    if (host_name == NULL || !is_ifname(host_name))
        return vd_error_set(err, EINVAL, "network device \"%s\": not an interface name",
                            host_name ? host_name : "");
    if (name && !is_ifname(name))
        return vd_error_set(err, EINVAL, "network device \"%s\": \"%s\" is not an interface name",
                            host_name, name);
    struct vd_net_device *d =
        vd_array_append(&b->net_devices, &b->n_net_devices, sizeof(*d), err);
    if (d == NULL || vd_strdup_optional(&d->host_name, host_name, err) < 0 ||
        vd_strdup_optional(&d->name, name, err) < 0)
        return -1; /* the entry is freed with the builder */
    return 0;
}

void vd_builder_free_network(vd_builder *b)
{
    for (size_t i = 0; i < b->n_net_devices; i++) {
        free(b->net_devices[i].host_name);
        free(b->net_devices[i].name);
    }
    free(b->net_devices);
}

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

/* ---- network devices moved in from the caller's namespace ------------------ */

/* A permanent global address of a device, to be set again once it is
 * moved: the kernel drops every address on the way. */
struct saved_addr {
    unsigned char family, prefixlen;
    unsigned char addr[16];
    size_t len;
};

struct addr_list {
    unsigned int ifindex;
    struct saved_addr *items;
    size_t n;
    bool oom;
};

static struct mnl_socket *route_socket(void)
{
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(nl);
        errno = e;
        return NULL;
    }
    return nl;
}

static struct nlmsghdr *link_request(char *buf, unsigned int ifindex, unsigned int flags)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = (uint32_t)time(NULL);
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = (int)ifindex;
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = flags;
    return nlh;
}

static int address_cb(const struct nlmsghdr *nlh, void *data)
{
    struct addr_list *list = data;
    const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
    if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != list->ifindex)
        return MNL_CB_OK;
    const struct nlattr *local = NULL, *address = NULL;
    uint32_t flags = ifa->ifa_flags;
    const struct nlattr *attr;
    mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
        switch (mnl_attr_get_type(attr)) {
        case IFA_LOCAL:
            local = attr;
            break;
        case IFA_ADDRESS:
            address = attr;
            break;
        case IFA_FLAGS:
            if (mnl_attr_get_payload_len(attr) == sizeof(uint32_t))
                flags = mnl_attr_get_u32(attr);
            break;
        }
    }
    /* As runc: only what an administrator set (permanent) and that means
     * the same in any namespace (global scope). */
    const struct nlattr *a = local ? local : address;
    if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE || a == NULL ||
        mnl_attr_get_payload_len(a) > sizeof(((struct saved_addr *)0)->addr))
        return MNL_CB_OK;
    vd_error *ignored = NULL;
    struct saved_addr *s = vd_array_append(&list->items, &list->n, sizeof(*s), &ignored);
    if (s == NULL) {
        vd_error_free(&ignored);
        list->oom = true;
        return MNL_CB_ERROR;
    }
    s->family = ifa->ifa_family;
    s->prefixlen = ifa->ifa_prefixlen;
    s->len = mnl_attr_get_payload_len(a);
    memcpy(s->addr, mnl_attr_get_payload(a), s->len);
    return MNL_CB_OK;
}

static int dump_addresses(struct mnl_socket *nl, struct addr_list *list)
{
    char buf[NETLINK_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = (uint32_t)time(NULL);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
    ifa->ifa_family = AF_UNSPEC;
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        return -1;
    unsigned int portid = mnl_socket_get_portid(nl);
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n < 0)
            return -1;
        int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, address_cb, list);
        if (r <= MNL_CB_STOP) {
            if (list->oom)
                errno = ENOMEM;
            return r < 0 ? -1 : 0;
        }
    }
}

static int add_address(struct mnl_socket *nl, unsigned int ifindex, const struct saved_addr *s)
{
    char buf[NETLINK_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWADDR;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    nlh->nlmsg_seq = (uint32_t)time(NULL);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
    ifa->ifa_family = s->family;
    ifa->ifa_prefixlen = s->prefixlen;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = ifindex;
    if (s->family == AF_INET)
        mnl_attr_put(nlh, IFA_LOCAL, s->len, s->addr);
    mnl_attr_put(nlh, IFA_ADDRESS, s->len, s->addr);
    return netlink_request(nl, nlh);
}

/* In the container's namespace (the caller's thread is there): the
 * addresses back on the device, and the device up, as the spec asks. */
static int finish_in_container(const char *name, const struct addr_list *list, vd_error **err)
{
    unsigned int ifindex = if_nametoindex(name);
    if (ifindex == 0)
        return vd_error_set(err, errno, "find \"%s\" in the container", name);
    __attribute__((cleanup(mnl_socket_closep))) struct mnl_socket *nl = route_socket();
    if (nl == NULL)
        return vd_error_set(err, errno, "open a NETLINK_ROUTE socket in the container");
    for (size_t i = 0; i < list->n; i++)
        if (add_address(nl, ifindex, &list->items[i]) < 0)
            return vd_error_set(err, errno, "add its address %zu of %zu in the container", i + 1,
                                list->n);
    char buf[NETLINK_BUFFER_SIZE];
    if (netlink_request(nl, link_request(buf, ifindex, IFF_UP)) < 0)
        return vd_error_set(err, errno, "bring \"%s\" up in the container", name);
    return 0;
}

/* Enter the namespace of `netns` for this thread, run finish_in_container,
 * come back. */
static int in_container_ns(int netns, const char *name, const struct addr_list *list,
                           vd_error **err)
{
    _cleanup_close_ int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0)
        return vd_error_set(err, errno, "open our own network namespace");
    if (setns(netns, CLONE_NEWNET) < 0)
        return vd_error_set(err, errno, "enter the container's network namespace");
    int r = finish_in_container(name, list, err);
    if (setns(own, CLONE_NEWNET) < 0 && r == 0)
        r = vd_error_set(err, errno, "come back from the container's network namespace");
    return r;
}

/* Down on our side first (runc does too: whoever used it here stops before
 * it goes), then moved and renamed in one RTM_NEWLINK, so that its name
 * is never taken twice in either namespace. */
static int move_net_device(const struct vd_net_device *d, int netns, vd_error **err)
{
    const char *name = d->name ? d->name : d->host_name;
    unsigned int ifindex = if_nametoindex(d->host_name);
    if (ifindex == 0)
        return vd_error_set(err, errno, "not in the runtime's network namespace");
    __attribute__((cleanup(mnl_socket_closep))) struct mnl_socket *nl = route_socket();
    if (nl == NULL)
        return vd_error_set(err, errno, "open a NETLINK_ROUTE socket");
    char buf[NETLINK_BUFFER_SIZE];
    if (netlink_request(nl, link_request(buf, ifindex, 0)) < 0)
        return vd_error_set(err, errno, "set it down");
    struct addr_list list = {.ifindex = ifindex};
    if (dump_addresses(nl, &list) < 0) {
        free(list.items);
        return vd_error_set(err, errno, "read its addresses");
    }
    struct nlmsghdr *nlh = link_request(buf, ifindex, 0);
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    int r = netlink_request(nl, nlh);
    if (r < 0)
        r = vd_error_set(err, errno, "move it into the container as \"%s\"", name);
    if (r == 0)
        r = in_container_ns(netns, name, &list, err);
    free(list.items);
    return r;
}

int vd_parent_move_net_devices(const vd_builder *b, pid_t pid, vd_error **err)
{
    if (b->n_net_devices == 0)
        return 0;
    if (b->ns[VD_NS_NET].mode != VD_NS_MODE_NEW)
        return vd_error_set(err, EINVAL, "network devices go only into a new network namespace");
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
    _cleanup_close_ int netns = open(path, O_RDONLY | O_CLOEXEC);
    if (netns < 0)
        return vd_error_set(err, errno, "open \"%s\"", path);
    for (size_t i = 0; i < b->n_net_devices; i++)
        if (move_net_device(&b->net_devices[i], netns, err) < 0)
            return vd_error_prefix(err, "network device \"%s\"", b->net_devices[i].host_name);
    return 0;
}
