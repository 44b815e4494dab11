#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-in-netns.sh CMD [ARGS...]: runs CMD in a private network and mount namespace, so the fake qmi-proxy's abstract
# socket (@qmi-proxy; abstract sockets are per network namespace) never meets the machine's qmi-proxy, and with
# /bin/false bind-mounted over libqmi's qmi-proxy binary (privately), so libqmi, which spawns qmi-proxy when it
# cannot connect, never starts a real one in the test. Loopback is brought up for the test SM-DP+ on 127.0.0.1.
# Needs root (or CAP_SYS_ADMIN); fails, not skips, without.
set -euo pipefail
die() { echo "run-in-netns: $*" >&2; exit 1; }
if [[ "${_LPAD_QMI_NETNS:-}" != 1 ]]; then
  [[ $# -ge 1 ]] || die "usage: run-in-netns.sh CMD [ARGS...]"
  unshare -n -m true 2>/dev/null || die "unshare -n -m failed: run as root (or with CAP_SYS_ADMIN)"
  _LPAD_QMI_NETNS=1 exec unshare -n -m --propagation private bash "$0" "$@"
fi
ip link set lo up
proxy_bin="$(pkg-config --variable=prefix qmi-glib 2>/dev/null || echo /usr)/libexec/qmi-proxy"
if [[ -e $proxy_bin ]]; then
  mount --bind /bin/false "$proxy_bin" || die "cannot mask $proxy_bin"
fi
exec "$@"
