# SPDX-License-Identifier: Apache-2.0
# Driver modules (docs/ARCHITECTURE.md, "Driver modules"): lpad maps only the libraries its configured drivers need.
# With only virtual: no driver module, pcsc-lite, libqmi, libmbim or GLib is mapped; a pcsc: or qmi: card loads its
# module (and its library); a missing module stops lpad with NotFound naming the file.
heavy='lpad-driver-|libpcsclite|libqmi-glib|libqrtr-glib|libmbim-glib|libglib-2|libgio-2'
mapped() { awk '$6 ~ /\.so/ {print $6}' "/proc/$1/maps" | sort -u; }

mapped "$LPAD_PID" >"$tmp/maps-virtual"
grep -q 'libc\.so' "$tmp/maps-virtual" || { echo "FAIL: could not read lpad's maps" >&2; exit 1; }
if grep -E "$heavy" "$tmp/maps-virtual"; then
  echo "FAIL: lpad with only virtual: maps the libraries above" >&2; exit 1
fi
# Still nothing after using the card.
expect 0 profile list
mapped "$LPAD_PID" | grep -E "$heavy" && { echo "FAIL: a driver library got mapped after profile list" >&2; exit 1; }

# The rest needs a build with the pcsc, qmi and mbim drivers (LPAD_WITH_*).
if ! "$LPAD" --list-drivers | grep -q '^pcsc	'; then echo "SKIP: this build has no pcsc driver"; exit 77; fi
if ! "$LPAD" --list-drivers | grep -q '^qmi	'; then echo "SKIP: this build has no qmi driver"; exit 77; fi
if ! "$LPAD" --list-drivers | grep -q '^mbim	'; then echo "SKIP: this build has no mbim driver"; exit 77; fi

# --list-drivers lists the module drivers without loading them, with where their module is.
"$LPAD" --list-drivers >"$tmp/list"
for s in pcsc qmi mbim; do
  grep -q "^$s	.*	module .*/lpad-driver-$s\.so\$" "$tmp/list" || { cat "$tmp/list" >&2; echo "FAIL: $s not listed as an installed module" >&2; exit 1; }
done
"$LPAD" --driver-dir "$tmp/nowhere" --list-drivers | grep -q "^pcsc	.*(not installed)\$" ||
  { echo "FAIL: a missing module is not shown as such" >&2; exit 1; }

# A pcsc: and a qmi: card beside the virtual one (no such reader or modem: they are served as unavailable) load
# their modules and libraries, and nothing else.
stop_lpad
start_lpad --card "pcsc:reader=lpad-test-no-such-reader" --card "qmi:$tmp/no-such-cdc-wdm"
mapped "$LPAD_PID" >"$tmp/maps-modules"
for lib in lpad-driver-pcsc.so libpcsclite lpad-driver-qmi.so libqmi-glib; do
  grep -q "$lib" "$tmp/maps-modules" || { cat "$tmp/maps-modules" >&2; echo "FAIL: $lib not mapped" >&2; exit 1; }
done
# (libmbim-glib itself may be mapped: libqmi-glib links it, for QMI over MBIM.)
grep -E 'lpad-driver-mbim' "$tmp/maps-modules" && { echo "FAIL: the mbim module is mapped, not configured" >&2; exit 1; }
grep -q "loaded driver module .*lpad-driver-pcsc.so" "$tmp/lpad.log" || { echo "FAIL: module load not logged" >&2; exit 1; }
stop_lpad

# A missing module: lpad stops at start, exit status 1, the error names the module and the option.
set +e
"$LPAD" "${LPAD_BUS_ARGS[@]}" --card "$CARD_URI" --card "mbim:$tmp/no-such-cdc-wdm" --driver-dir "$tmp/nowhere" \
  --trust "$PKI/trust/test-ci.pem" --state-dir "$tmp/state" 2>"$tmp/missing.log"
status=$?
set -e
cat "$tmp/missing.log" >&2
[[ $status == 1 ]] || { echo "FAIL: lpad with a missing module exited $status, want 1" >&2; exit 1; }
grep -q "NotFound: driver 'mbim:' is a loadable module and $tmp/nowhere/lpad-driver-mbim.so is not installed" \
  "$tmp/missing.log" || { echo "FAIL: the missing module error does not name it" >&2; exit 1; }
