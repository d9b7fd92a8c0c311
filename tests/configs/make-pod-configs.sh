#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Write the configs of a Kubernetes pod as containerd 1.6's CRI plugin makes
# them, from ctr-seccomp.config.json (containerd's own default spec with its
# default seccomp profile, captured by capture.sh): no kubelet runs here, so
# these are derived, not captured.  What CRI changes, from its
# sandboxContainerSpec (sandbox_run_linux.go), containerSpec
# (container_create_linux.go) and pkg/cri/opts/spec_linux.go:
#
# pod-sandbox.config.json, the pause container: no /run mount, no rlimits,
#   read-only root, args /pause as user 65535, the pod's hostname, a network
#   namespace by path (@NETNS@, CNI's), its own pid, ipc, uts and mount
#   namespaces, /dev/shm and /etc/resolv.conf bound from the sandbox
#   directory, cpu shares 2, oomScoreAdj -998, the pod's sysctls, the seccomp
#   profile RuntimeDefault, cgroupsPath /kubepods/burstable/pod<UID>/<ID>,
#   the sandbox annotations.
# pod-app.config.json, an app container of the pod: joins the sandbox's
#   network, ipc and uts namespaces by /proc/@SANDBOX_PID@/ns/..., its own
#   pid and mount namespaces, runs as 1000:3000 with fsGroup 2000,
#   noNewPrivileges (allowPrivilegeEscalation false), a read-only cgroup
#   mount, kubelet's masked and read-only path lists, the sandbox's hosts,
#   hostname, resolv.conf and /dev/shm, a termination-log file, a projected
#   service-account volume (ro), an emptyDir (rprivate) and a hostPath
#   volume with mountPropagation HostToContainer (rslave), memory and cpu
#   limits (a burstable pod: kubelet gives it oomScoreAdj 937 for a 128M
#   request on a 2G node).
# pod-app-shared-pid.config.json: the same with shareProcessNamespace: the
#   pid namespace too is the sandbox's.
# pod-exec.process.json: what `kubectl exec` becomes (CRI Exec): the app's
#   process with other args.
#
# Usage: tests/configs/make-pod-configs.sh  (writes beside itself)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

pod_uid=0f5e2a59-6b8c-4c7e-9c3b-8a2d9b1f7e21
cri=@TMP@/run/containerd/io.containerd.grpc.v1.cri/sandboxes/@SANDBOX_ID@
cri_file=@TMPFILE@/run/containerd/io.containerd.grpc.v1.cri/sandboxes/@SANDBOX_ID@
kubelet=@TMP@/var/lib/kubelet/pods/$pod_uid
kubelet_file=@TMPFILE@/var/lib/kubelet/pods/$pod_uid

jq --arg cri "$cri" --arg crif "$cri_file" --arg uid "$pod_uid" '
    .process.args = ["/pause"]
    | .process.user = {uid: 65535, gid: 65535}
    | del(.process.rlimits)
    | .root = {path: "@ROOTFS@", readonly: true}
    | .hostname = "web-0"
    | .mounts |= map(select(.destination != "/run"))
    | .mounts += [
        {destination: "/dev/shm", type: "bind", source: ($cri + "/shm"), options: ["rbind", "ro"]},
        {destination: "/etc/resolv.conf", type: "bind", source: ($crif + "/resolv.conf"), options: ["rbind", "ro"]}]
    | .linux.namespaces = [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"},
        {type: "network", path: "@NETNS@"}]
    | .linux.resources.cpu = {shares: 2}
    | .process.oomScoreAdj = -998
    | .linux.sysctl = {"kernel.shm_rmid_forced": "1"}
    | .linux.cgroupsPath = "/@CGPARENT@/burstable/pod\($uid)/@ID@"
    | .annotations = {
        "io.kubernetes.cri.container-type": "sandbox",
        "io.kubernetes.cri.sandbox-id": "@ID@",
        "io.kubernetes.cri.sandbox-namespace": "default",
        "io.kubernetes.cri.sandbox-name": "web-0",
        "io.kubernetes.cri.sandbox-log-directory": "/var/log/pods/default_web-0_\($uid)"}
' ctr-seccomp.config.json >pod-sandbox.config.json

app() {
    jq --arg cri "$cri" --arg crif "$cri_file" --arg kub "$kubelet" --arg kubf "$kubelet_file" \
        --arg uid "$pod_uid" --argjson sharepid "$1" '
    .process.args = ["/bin/sh", "-c", "while true; do sleep 1; done"]
    | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=web-0",
        "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443"]
    | .process.user = {uid: 1000, gid: 3000, additionalGids: [2000, 3000]}
    | .process.noNewPrivileges = true
    | .process.oomScoreAdj = 937
    | del(.process.rlimits)
    | .root = {path: "@ROOTFS@"}
    | .hostname = "web-0"
    | .mounts |= map(select(.destination != "/run"))
    | .mounts += [
        {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
         options: ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        {destination: "/data", type: "bind", source: ($kub + "/volumes/kubernetes.io~empty-dir/data"),
         options: ["rbind", "rprivate", "rw"]},
        {destination: "/dev/termination-log", type: "bind",
         source: ($kubf + "/containers/app/3f1e9a27"), options: ["rbind", "rprivate", "rw"]},
        {destination: "/etc/hostname", type: "bind", source: ($crif + "/hostname"),
         options: ["rbind", "rprivate", "rw"]},
        {destination: "/etc/hosts", type: "bind", source: ($kubf + "/etc-hosts"),
         options: ["rbind", "rprivate", "rw"]},
        {destination: "/etc/resolv.conf", type: "bind", source: ($crif + "/resolv.conf"),
         options: ["rbind", "rprivate", "rw"]},
        {destination: "/dev/shm", type: "bind", source: ($cri + "/shm"),
         options: ["rbind", "rprivate", "rw"]},
        {destination: "/host-mnt", type: "bind", source: "@TMP@/host-mnt",
         options: ["rbind", "rslave", "ro"]},
        {destination: "/var/run/secrets/kubernetes.io/serviceaccount", type: "bind",
         source: ($kub + "/volumes/kubernetes.io~projected/kube-api-access-x7k2p"),
         options: ["rbind", "rprivate", "ro"]}]
    | .linux.namespaces = [
        (if $sharepid then {type: "pid", path: "/proc/@SANDBOX_PID@/ns/pid"} else {type: "pid"} end),
        {type: "ipc", path: "/proc/@SANDBOX_PID@/ns/ipc"},
        {type: "uts", path: "/proc/@SANDBOX_PID@/ns/uts"},
        {type: "mount"},
        {type: "network", path: "/proc/@SANDBOX_PID@/ns/net"}]
    | .linux.resources.cpu = {shares: 102, quota: 50000, period: 100000}
    | .linux.resources.memory = {limit: 134217728}
    | .linux.sysctl = {"kernel.shm_rmid_forced": "1"}
    | .linux.maskedPaths = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
    | .linux.readonlyPaths = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
        "/proc/sysrq-trigger"]
    | .linux.cgroupsPath = "/@CGPARENT@/burstable/pod\($uid)/@ID@"
    | .annotations = {
        "io.kubernetes.cri.container-type": "container",
        "io.kubernetes.cri.container-name": "app",
        "io.kubernetes.cri.image-name": "docker.io/library/busybox:1.36",
        "io.kubernetes.cri.sandbox-id": "@SANDBOX_ID@",
        "io.kubernetes.cri.sandbox-namespace": "default",
        "io.kubernetes.cri.sandbox-name": "web-0"}
    ' ctr-seccomp.config.json
}
app false >pod-app.config.json
app true >pod-app-shared-pid.config.json
jq '.process | .args = ["sh", "-c", "echo hi"] | .terminal = false' pod-app.config.json >pod-exec.process.json
