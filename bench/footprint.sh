#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# lpad-footprint: what lpad costs a small machine, and where a cold `lpactl profile list` spends its time
# (docs/benchmarks.md, "Footprint"). It starts its own dbus-daemon (session type, private socket), the test SM-DP+
# and lpad on a virtual eUICC with two downloaded profiles, then prints for each configuration:
#   - lpad's RSS, Private_Dirty and Anonymous memory (/proc/PID/smaps_rollup) and the shared libraries it maps
#     (/proc/PID/maps), idle and after OPS lpactl operations (profile list, chip info, profile nickname);
#   - lpactl cold: the wall time of `lpactl --version` (exec + dynamic linking), of `lpactl profile list`, its
#     phases from a dbus-monitor --profile trace (start → Hello → first call to lpad → last reply → exit) and the
#     D-Bus calls it makes (to the bus, to lpad).
# Configurations: "virtual" (only the virtual eUICC) and "virtual+pcsc+qmi" (a pcsc: and a qmi: card that are not
# there: their modules and libraries are loaded, nothing else changes).
#   footprint.sh [--ops N] [--runs N] [--lpad-before PATH]
#   env: LPAD LPACTL SMDPP PKI UPP_DIR (set by the ctest / CMake target; see bench/CMakeLists.txt)
# Timings are printed, never checked; the machine may be loaded (other builds): the script prints the load average.
set -euo pipefail
ops=100 runs=20 before=""
while (($#)); do
  case $1 in
    --ops) ops=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --lpad-before) before=$2; shift 2 ;;
    *) echo "usage: $0 [--ops N] [--runs N] [--lpad-before PATH]" >&2; exit 2 ;;
  esac
done
: "${LPAD:?} ${LPACTL:?} ${SMDPP:?} ${PKI:?} ${UPP_DIR:?}"
tmp="$(mktemp -d /tmp/lpad-footprint.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

dbus-daemon --session --nofork --nopidfile --print-address=3 --address="unix:path=$tmp/bus" 3>"$tmp/bus.address" \
  2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [[ -s "$tmp/bus.address" ]] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS="$(head -1 "$tmp/bus.address")" LPACTL_BUS=session

cat >"$tmp/orders.json" <<JSON
[ {"matchingId": "FP-1", "profile": "$UPP_DIR/TS48v4_SAIP2.3_BERTLV.der", "iccid": "8949449999999990023", "name": "One"},
  {"matchingId": "FP-2", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990031", "name": "Two"} ]
JSON
"$SMDPP" --pki "$PKI" --address localhost:0 --port 0 --admin-port 0 --orders "$tmp/orders.json" \
  --ready-file "$tmp/port" >"$tmp/smdpp.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
smdp="localhost:$(cat "$tmp/port")"
card="virtual:$tmp/card.json?pki=$PKI"

lpad_pid=""
start_lpad() {  # start_lpad BINARY CARD-URI...
  local bin=$1; shift
  local args=()
  for c in "$@"; do args+=(--card "$c"); done
  "$bin" --session "${args[@]}" --trust "$PKI/trust/test-ci.pem" --state-dir "$tmp/state" --log-level warning \
    2>>"$tmp/lpad.log" &
  lpad_pid=$!
  pids+=($lpad_pid)
  local end=$((SECONDS + 60))
  until [[ "$("$LPACTL" -j chip info 2>/dev/null | jq -r .status 2>/dev/null)" == ok ]]; do
    kill -0 "$lpad_pid" 2>/dev/null && ((SECONDS < end)) || { tail -20 "$tmp/lpad.log" >&2; echo "lpad did not start" >&2; exit 1; }
    sleep 0.1
  done
}
stop_lpad() { kill "$lpad_pid"; wait "$lpad_pid" 2>/dev/null || true; }

# memory LABEL: one line of figures, then the libraries (names only).
memory() {
  local label=$1 r
  r="$(awk '/^(Rss|Pss|Private_Dirty|Anonymous):/ {v[$1]=$2} END {printf "%d %d %d %d", v["Rss:"], v["Pss:"], v["Private_Dirty:"], v["Anonymous:"]}' "/proc/$lpad_pid/smaps_rollup")"
  read -r rss pss dirty anon <<<"$r"
  local libs
  libs="$(awk '$6 ~ /\.so/ {n=$6; sub(/.*\//, "", n); print n}' "/proc/$lpad_pid/maps" | sort -u)"
  printf "  %-22s RSS %6d KiB  PSS %6d KiB  Private_Dirty %6d KiB  Anonymous %6d KiB  libraries %3d\n" \
    "$label" "$rss" "$pss" "$dirty" "$anon" "$(wc -l <<<"$libs")"
  echo "$libs" >"$tmp/libs-${label//[\/:+]/_}"
}

operations() {  # N lpactl calls through D-Bus, cycling list / chip info / nickname
  local i
  for ((i = 0; i < ops; i++)); do
    case $((i % 3)) in
      0) "$LPACTL" profile list >/dev/null ;;
      1) "$LPACTL" chip info >/dev/null ;;
      2) "$LPACTL" profile nickname 8949449999999990023 "n$i" >/dev/null ;;
    esac
  done
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }

echo "lpad-footprint: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $ops operations"
start_lpad "$LPAD" "$card"
"$LPACTL" download "LPA:1\$$smdp\$FP-1" >/dev/null
"$LPACTL" download "LPA:1\$$smdp\$FP-2" >/dev/null
stop_lpad

for config in virtual virtual+pcsc+qmi ${before:+before:virtual}; do
  bin=$LPAD cards=("$card")
  [[ $config == virtual+pcsc+qmi ]] && cards+=("pcsc:reader=lpad-footprint-no-reader" "qmi:$tmp/no-cdc-wdm")
  [[ $config == before:* ]] && bin=$before
  echo "lpad, $config ($(basename "$bin")):"
  start_lpad "$bin" "${cards[@]}"
  sleep 1
  memory "$config/idle"
  operations
  memory "$config/after-$ops"
  stop_lpad
done
echo "  libraries mapped with only virtual:"
tr '\n' ' ' <"$tmp/libs-virtual_idle" | fold -s -w 112 | sed 's/^/    /'; echo
echo "  added by a pcsc: and a qmi: card:"
comm -13 "$tmp/libs-virtual_idle" "$tmp/libs-virtual_pcsc_qmi_idle" | tr '\n' ' ' | fold -s -w 112 | sed 's/^/    /'; echo
if [[ -n $before ]]; then
  echo "  mapped by the lpad before driver modules, not by lpad with only virtual:"
  comm -13 "$tmp/libs-virtual_idle" "$tmp/libs-before_virtual_idle" | tr '\n' ' ' | fold -s -w 112 | sed 's/^/    /'; echo
fi
echo

# lpactl cold.
start_lpad "$LPAD" "$card"
echo "lpactl cold ($runs runs each, median; profile list with 2 profiles):"
for cmd in "--version" "profile list" "-j profile list"; do
  ts=()
  for ((i = 0; i < runs; i++)); do
    t0=$(now_us); "$LPACTL" $cmd >/dev/null; t1=$(now_us); ts+=($((t1 - t0)))
  done
  printf "  lpactl %-18s %7.2f ms\n" "$cmd" "$(printf '%s\n' "${ts[@]}" | median | awk '{print $1/1000}')"
done
LD_DEBUG=statistics "$LPACTL" --version 2>&1 >/dev/null | sed -n 's/^ *[0-9]*: *//; s/total startup time in dynamic loader: /dynamic loader: /p' |
  head -1 | sed 's/^/  /'
echo "  libraries lpactl loads: $(ldd "$LPACTL" | wc -l)"

# One traced run: the phases and the D-Bus calls.
dbus-monitor --profile >"$tmp/monitor" 2>/dev/null &
mon=$!
pids+=($mon)
sleep 1
t0=$(now_us); "$LPACTL" profile list >/dev/null; t1=$(now_us)
sleep 0.5
kill "$mon"; wait "$mon" 2>/dev/null || true
python3 - "$tmp/monitor" "$t0" "$t1" <<'PY'
import sys
path, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
for line in open(path):
    f = line.split('\t')
    if len(f) < 3 or f[0] not in ('mc', 'mr', 'err', 'sig'):
        continue
    t = int(float(f[1]) * 1e6)
    if t0 <= t <= t1:
        rows.append((f[0], t, f))
# mc: type time serial sender destination path interface member; mr/err: type time serial sender destination reply_serial
hello = next((r for r in rows if r[0] == 'mc' and r[2][-1].strip() == 'Hello'), None)
if not hello:
    print("  (no trace: dbus-monitor saw no Hello from lpactl)")
    sys.exit(0)
me = None
calls = [r for r in rows if r[0] == 'mc' and r[1] >= hello[1]]
for r in rows:
    if r[0] == 'mr' and r[2][5].strip() == hello[2][2]:
        me = r[2][4]
        break
mine = [r for r in calls if r[2][3] == me or r[2][3] == ':' or r is hello]
to_bus = [r for r in mine if r[2][4] == 'org.freedesktop.DBus']
to_lpad = [r for r in mine if r[2][4] != 'org.freedesktop.DBus']
replies = [r for r in rows if r[0] in ('mr', 'err') and r[2][4] == me]
last = max((r[1] for r in replies), default=hello[1])
first_lpad = min((r[1] for r in to_lpad), default=last)
ms = lambda a, b: (b - a) / 1000
print(f"  traced profile list: {ms(t0, t1):.2f} ms = start+link+parse {ms(t0, hello[1]):.2f}"
      f" | connect, Hello, match rules {ms(hello[1], first_lpad):.2f}"
      f" | calls to lpad {ms(first_lpad, last):.2f} | print+exit {ms(last, t1):.2f}")
print(f"  D-Bus calls: {len(to_bus)} to the bus ({', '.join(sorted(set(r[2][-1].strip() for r in to_bus)))}),"
      f" {len(to_lpad)} to lpad ({', '.join(r[2][6] + '.' + r[2][7].strip() for r in to_lpad)})")
PY
stop_lpad
