#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# lpad-footprint: what lpad costs a small machine, and where a cold `lpactl profile list` spends its time
# (docs/benchmarks.md, "Footprint"). It starts its own dbus-daemon (session type, private socket), the test SM-DP+
# and lpad on a virtual eUICC with two downloaded profiles, then prints for each configuration:
#   - lpad's RSS, Private_Dirty and Anonymous memory (/proc/PID/smaps_rollup) and the shared libraries it maps
#     (/proc/PID/maps), idle and after OPS lpactl operations (profile list, chip info, profile nickname);
#   - lpactl cold: the wall time of /bin/true (for scale), `lpactl --version` (exec, dynamic linking, init) and
#     `lpactl profile list`; the D-Bus calls one list makes (dbus-monitor: to the bus, to lpad) and its phases
#     under strace (exec → connect → last reply → output → exit).
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
ts=()
# measure CMD...: median wall time and median CPU time (user + system) of RUNS runs, from bash's `time`.
measure() {
  local TIMEFORMAT='%3R %3U %3S' i
  : >"$tmp/times"
  for ((i = 0; i < runs; i++)); do { time "$@" >/dev/null 2>&1; } 2>>"$tmp/times"; done
  python3 -c 'import statistics as s, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("wall %7.2f ms   CPU %6.2f ms" % (s.median(float(r[0]) for r in rows) * 1000,
                                        s.median(float(r[1]) + float(r[2]) for r in rows) * 1000))' "$tmp/times"
}
printf "  %-24s %s  (process start on this machine, for scale)\n" "/bin/true" "$(measure /bin/true)"
printf "  %-24s %s\n" "lpactl --version" "$(measure "$LPACTL" --version)"
printf "  %-24s %s\n" "lpactl profile list" "$(measure "$LPACTL" profile list)"
printf "  %-24s %s\n" "lpactl -j profile list" "$(measure "$LPACTL" -j profile list)"
LD_DEBUG=statistics "$LPACTL" --version 2>&1 >/dev/null |
  sed -n 's/^[[:space:]]*[0-9]*:[[:space:]]*total startup time in dynamic loader: /  dynamic loader (LD_DEBUG=statistics): /p'
echo "  libraries lpactl loads: $(ldd "$LPACTL" | wc -l)"

# The D-Bus calls of one run (dbus-monitor), and its phases from one run under strace (syscall timestamps; strace
# slows the process down, so the split is indicative and the untraced medians above are the figures).
dbus-monitor --profile >"$tmp/monitor" 2>/dev/null &
mon=$!
pids+=($mon)
sleep 1
"$LPACTL" profile list >/dev/null
sleep 0.5
kill "$mon"; wait "$mon" 2>/dev/null || true
python3 - "$tmp/monitor" <<'PY'
import sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l[:3] in ('mc\t', 'mr\t', 'err')]
# mc: type time serial sender destination path interface member; mr/err: type time serial sender destination serial
hello = next((f for f in rows if f[0] == 'mc' and f[7] == 'Hello' and f[4] == 'org.freedesktop.DBus'), None)
if hello is None:
    print("  (dbus-monitor saw no Hello)"); sys.exit(0)
me = hello[3]
calls = [f for f in rows if f[0] == 'mc' and f[3] == me]
to_bus = [f[7] for f in calls if f[4] == 'org.freedesktop.DBus']
to_lpad = [f[6].split('.')[-1] + '.' + f[7] for f in calls if f[4] != 'org.freedesktop.DBus']
count = lambda xs: ', '.join(f"{x} x{xs.count(x)}" if xs.count(x) > 1 else x for x in dict.fromkeys(xs))
print(f"  D-Bus calls of one profile list: {len(to_bus)} to the bus ({count(to_bus)}), {len(to_lpad)} to lpad ({count(to_lpad)})")
PY
if command -v strace >/dev/null; then
  strace -f -ttt -o "$tmp/strace" -e trace=execve,connect,sendmsg,recvmsg,write,exit_group "$LPACTL" profile list \
    >/dev/null
  python3 - "$tmp/strace" <<'PY'
import re, sys
ev = []
for line in open(sys.argv[1]):
    m = re.match(r'\d+\s+(\d+\.\d+) (\w+)\((.*)', line)
    if m: ev.append((float(m.group(1)), m.group(2), m.group(3)))
t_exec = next(t for t, c, a in ev if c == 'execve')
t_conn = next((t for t, c, a in ev if c == 'connect'), t_exec)
t_out = next((t for t, c, a in ev if c == 'write' and a.startswith('1,')), ev[-1][0])
t_reply = max((t for t, c, a in ev if c == 'recvmsg' and t <= t_out), default=t_conn)
t_exit = next((t for t, c, a in ev if c == 'exit_group'), ev[-1][0])
ms = lambda a, b: (b - a) * 1000
print(f"  phases under strace ({ms(t_exec, t_exit):.1f} ms): exec, dynamic linking, init, CLI parse {ms(t_exec, t_conn):.1f}"
      f" | bus connect, auth, Hello, the call {ms(t_conn, t_reply):.1f} | decode, format {ms(t_reply, t_out):.1f}"
      f" | print, close, exit {ms(t_out, t_exit):.1f}")
PY
else
  echo "  (strace not installed: no phase split)"
fi
stop_lpad
