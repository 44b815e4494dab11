#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-private-lock.sh CMD [ARGS...]: runs CMD in a new mount namespace whose /run/lock is an empty tmpfs, so the
# UUCP lock files the at: driver creates (and the ones the tests plant) never touch the machine's and vanish with
# the namespace. Needs root (or CAP_SYS_ADMIN); fails, does not skip, without.
set -euo pipefail
if [[ "${_LPAD_PRIVATE_LOCK_NS:-}" != 1 ]]; then
    if ! unshare -m true 2>/dev/null; then
        echo "run-private-lock: cannot create a mount namespace (unshare -m failed: run as root)" >&2
        exit 1
    fi
    mkdir -p /run/lock
    _LPAD_PRIVATE_LOCK_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
mount -t tmpfs -o mode=1777,size=1m lpad-test-lock /run/lock
exec "$@"
