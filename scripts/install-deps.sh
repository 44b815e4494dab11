#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install, from Debian's archive only, whatever lpad needs that is not already on this machine.
# Idempotent: packages already installed are left alone; nothing else is downloaded.
#   scripts/install-deps.sh            build + test + demo dependencies
#   scripts/install-deps.sh --build    only what the build needs
#   scripts/install-deps.sh --packaging  what the build and the Debian package check need (scripts/check-packaging.sh)
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config git ca-certificates ccache
  libssl-dev openssl
  doctest-dev nlohmann-json3-dev
  libcurl4-openssl-dev
  libcpp-httplib-dev
  libsdbus-c++-dev libsdbus-c++-bin libsystemd-dev
  libpcsclite-dev
  libqmi-glib-dev libglib2.0-dev
  libmbim-glib-dev
  libtomlplusplus-dev libcli11-dev
  libzbar-dev libpng-dev libjpeg62-turbo-dev
  clang-14 libclang-rt-14-dev
)
run_pkgs=(
  dbus dbus-daemon dbus-bin
  pcscd vsmartcard-vpcd
  util-linux procps iproute2
  scdoc
  jq curl qrencode
  strace  # bench/footprint.sh: where a cold lpactl spends its time
  systemd python3-dbus python3-gi
  libglib2.0-bin  # gdbus: tests/integration/daemon/test_access_methods.sh
  libqmi-proxy
)

packaging_pkgs=(debhelper dpkg-dev fakeroot lintian systemd)

pkgs=("${build_pkgs[@]}")
case "${1:-}" in
  --build) ;;
  --packaging) pkgs+=("${packaging_pkgs[@]}") ;;
  "") pkgs+=("${run_pkgs[@]}") ;;
  *) echo "install-deps: unknown option $1 (--build, --packaging)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
