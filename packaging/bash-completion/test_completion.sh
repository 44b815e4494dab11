#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks packaging/bash-completion/lpactl: sources it in a clean bash, sets COMP_WORDS/COMP_CWORD as readline
# would, calls the completion function and compares COMPREPLY. `lpactl` is a stub on PATH that prints a fixed
# profile list (JSON for -j, the human table otherwise), so ICCIDs are checked both with and without jq.
#   test_completion.sh COMPLETION_FILE
set -euo pipefail
completion=$(realpath "${1:?usage: test_completion.sh COMPLETION_FILE}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bin" "$work/files/photos"
# The stub records its arguments so the test can check that --euicc is passed on.
cat > "$work/bin/lpactl" <<'STUB'
#!/bin/bash
printf '%s\n' "$*" > "$STUB_LOG"
if [[ $1 == -j ]]; then
    printf '[{"iccid":"8944476500001224158","state":"enabled"},{"iccid":"89000123456789012341","state":"disabled"}]\n'
else
    printf 'ICCID                 STATE     NAME\n8944476500001224158   enabled   Test A\n89000123456789012341  disabled  Test B\n'
fi
STUB
chmod +x "$work/bin/lpactl"
touch "$work/files/qr.png" "$work/files/QR2.JPG" "$work/files/scan.jpeg" "$work/files/notes.txt"
export STUB_LOG=$work/stub.log

failures=0
# check "DESCRIPTION" "EXPECTED (space-separated, sorted)" WORD...   (the cursor is on the last WORD)
check() {
    local desc=$1 expected=$2 got
    shift 2
    got=$(cd "$work/files" && PATH=$COMPLETION_PATH "$BASH" --norc --noprofile -c '
        source "$0"
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _lpactl
        ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"
        true' "$completion" "$@" | LC_ALL=C sort | tr "\n" " ")
    got=${got% }
    if [[ $got == "$expected" ]]; then
        echo "ok   $desc"
    else
        echo "FAIL $desc: words [$*]"
        echo "     expected [$expected]"
        echo "     got      [$got]"
        failures=$((failures + 1))
    fi
}

COMPLETION_PATH=$work/bin:$PATH
check "commands" "chip discover download notification profile" lpactl ""
check "command prefix" "notification" lpactl no
check "global options" "--euicc" lpactl --e
check "all global options" "--euicc --help --json --timeout" lpactl --
check "after global options" "chip" lpactl -j --euicc 1 --timeout 5 ch
check "chip subcommands" "defaultsmdp info reset" lpactl chip ""
check "chip reset options" "--default-smdp --help --operational --test" lpactl chip reset --
check "profile subcommands" "delete disable enable list nickname" lpactl profile ""
check "notification subcommands" "list process remove" lpactl notification ""
check "download options" "--confirmation-code --enable --help --imei --preview --qr" lpactl download --
check "discover options" "--smds" lpactl discover --s
check "option values are not completed" "" lpactl download --imei ""
check "ICCIDs with jq" "89000123456789012341 8944476500001224158" lpactl profile enable ""
check "ICCID prefix with jq" "8944476500001224158" lpactl profile delete 894
check "only the first argument is an ICCID" "" lpactl profile nickname 8944476500001224158 ""
check "ICCIDs of the chosen eUICC" "89000123456789012341 8944476500001224158" lpactl --euicc 2 profile disable ""
expected_call="--euicc 2 profile list"
type -P jq >/dev/null && expected_call="-j $expected_call"  # without jq on this machine, the table is read
if [[ $(cat "$STUB_LOG" 2>/dev/null) != "$expected_call" ]]; then
    echo "FAIL --euicc not passed to lpactl: $(cat "$STUB_LOG" 2>/dev/null)"
    failures=$((failures + 1))
fi
check "--qr completes images and directories" "QR2.JPG photos qr.png scan.jpeg" lpactl download --qr ""
check "--qr with a prefix" "qr.png" lpactl download --qr q

# Without jq: PATH holds only the stub (the completion and the stub need nothing but bash builtins).
COMPLETION_PATH=$work/bin
check "ICCIDs from the plain table (no jq)" "89000123456789012341 8944476500001224158" lpactl profile enable ""
if [[ $(cat "$STUB_LOG" 2>/dev/null) != "profile list" ]]; then
    echo "FAIL the plain table was not asked for: $(cat "$STUB_LOG" 2>/dev/null)"
    failures=$((failures + 1))
fi

if ((failures)); then
    echo "$failures completion check(s) failed"
    exit 1
fi
echo "all completion checks passed"
