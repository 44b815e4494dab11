#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs "$@" in a private network and mount namespace, the place for the fake mbim-proxy:
#  - network (unshare -n): the abstract socket @mbim-proxy is per network namespace, so the fake cannot meet a real
#    mbim-proxy (ModemManager's) and the driver under test cannot reach a real modem; lo is brought up for the test
#    SM-DP+ on 127.0.0.1;
#  - mount (unshare -m): the real mbim-proxy binary is masked (bound over by /dev/null, which cannot be executed),
#    so when nothing listens libmbim's attempt to spawn one fails instead of starting a real proxy in here.
# Needs root (CI runs the integration tests as root); fails, not skips, without.
set -euo pipefail
if [[ -z ${LPAD_MBIM_NETNS:-} ]]; then
  if [[ $(id -u) != 0 ]]; then echo "FAIL: the mbim integration tests need root (unshare -n -m)" >&2; exit 1; fi
  exec env LPAD_MBIM_NETNS=1 unshare -n -m --propagation private bash "$0" "$@"
fi
ip link set lo up
for proxy in /usr/libexec/mbim-proxy /usr/lib/libmbim/mbim-proxy /usr/local/libexec/mbim-proxy; do
  if [[ -e $proxy ]]; then mount --bind /dev/null "$proxy"; fi
done
exec "$@"
