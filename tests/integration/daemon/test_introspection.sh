# SPDX-License-Identifier: Apache-2.0
# The interface XML that is installed to /usr/share/dbus-1/interfaces/ is the API the running daemon serves:
# Introspect on the root, an eUICC, a profile and a preview download, compared member by member.
xml="$here/../../../lpad/dbus/org.lpad.Lpad1.xml"
introspect() {
  busctl --address="$BUS_ADDRESS" call org.lpad.Lpad1 "$1" org.freedesktop.DBus.Introspectable Introspect \
    --json=short | jq -r '.data[0]' >"$tmp/$2.xml"
}
expect 0 download "LPA:1\$$SMDP\$MATCH-1"
download="$(busctl --address="$BUS_ADDRESS" call --json=short org.lpad.Lpad1 /org/lpad/Lpad1/euicc/0 \
  org.lpad.Lpad1.Euicc PreviewDownload 'sa{sv}' "LPA:1\$$SMDP\$MATCH-3" 1 detach b true | jq -r '.data[0]')"
[[ $download == /org/lpad/Lpad1/euicc/0/download/* ]] || { echo "FAIL: PreviewDownload said: $download" >&2; exit 1; }
introspect /org/lpad/Lpad1 root
introspect /org/lpad/Lpad1/euicc/0 euicc
introspect /org/lpad/Lpad1/euicc/0/profile/8949449999999990023 profile
introspect "$download" download
/usr/bin/python3 "$here/../lib/compare_introspection.py" "$xml" "$tmp"/{root,euicc,profile,download}.xml
# The comparison can fail: a served interface missing a member is caught.
sed 's|<method name="Reject">|<method name="RejectX">|' "$tmp/download.xml" >"$tmp/download-bad.xml"
if /usr/bin/python3 "$here/../lib/compare_introspection.py" "$xml" "$tmp"/{root,euicc,profile,download-bad}.xml \
     2>/dev/null; then
  echo "FAIL: the comparison did not notice a renamed method" >&2; exit 1
fi
