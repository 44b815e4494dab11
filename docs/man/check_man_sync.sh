#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Keeps the man pages true to the code (ctest "man: pages in sync with the code"):
#   - every long option in `lpad --help` is in lpad.8.scd;
#   - every subcommand of lpactl (walked recursively through --help) is in lpactl.1.scd, and so is every long
#     option of lpactl and of each subcommand;
#   - lpactl's exit statuses (enum Exit) and environment variables (getenv) are in lpactl.1.scd;
#   - every key lpad/daemon/config.cpp accepts is in lpad.conf.5.scd, and every key the page documents is accepted.
#   - each test tool given (lpad-test-smdpp, lpad-test-pki, lpad-vpcd-bridge) has the options of its --help in
#     its page, and no other.
#   check_man_sync.sh LPAD LPACTL SOURCE_DIR [TOOL...]
set -uo pipefail
lpad=${1:?usage: check_man_sync.sh LPAD LPACTL SOURCE_DIR}
lpactl=${2:?}
src=${3:?}
man=$src/docs/man
failures=0
problem() {
    echo "FAIL $*"
    failures=$((failures + 1))
}

# The long options in a CLI11 help text (the option column only, not the descriptions).
long_options() { grep -E '^ +-' | sed -E 's/^ +//; s/ .*//' | tr ',' '\n' | grep -E '^--[a-z]' | sort -u; }
# Subcommand names in a CLI11 help text: the lines of its "Subcommands:" section.
subcommands() { sed -n '/^Subcommands:/,/^$/p' | sed -E '1d; /^$/d; s/^ +//; s/ .*//'; }

# --- lpad.8
help=$("$lpad" --help) || problem "lpad --help failed"
opts=$(long_options <<<"$help")
[[ $(wc -l <<<"$opts") -ge 8 ]] || problem "lpad --help: expected at least 8 long options, found: $opts"
for o in $opts; do
    grep -qF -- "*$o*" "$man/lpad.8.scd" || problem "lpad.8.scd does not document lpad $o"
done

# --- lpactl.1: walk the command tree
checked=0
walk() {  # walk WORD... : check `lpactl WORD... --help`
    local h
    h=$("$lpactl" "$@" --help) || { problem "lpactl $* --help failed"; return; }
    checked=$((checked + 1))
    if (($#)); then
        grep -qF -- "*$*" "$man/lpactl.1.scd" || problem "lpactl.1.scd does not document the command '$*'"
    fi
    local o s
    for o in $(long_options <<<"$h"); do
        grep -qF -- "*$o*" "$man/lpactl.1.scd" || problem "lpactl.1.scd does not document lpactl $* $o"
    done
    for s in $(subcommands <<<"$h"); do walk "$@" "$s"; done
}
walk
((checked >= 15)) || problem "lpactl: walked only $checked help texts (expected the whole command tree)"

# Exit statuses: "enum Exit { Ok = 0, Failed = 1, ... }" in lpactl/main.cpp.
codes=$(grep -oE 'enum Exit \{[^}]*\}' "$src/lpactl/main.cpp" | grep -oE '= [0-9]+' | tr -d '= ')
[[ -n $codes ]] || problem "no 'enum Exit' found in lpactl/main.cpp"
exit_section=$(sed -n '/^# EXIT STATUS/,/^# /p' "$man/lpactl.1.scd")
for c in $codes; do
    grep -qxF "*$c*" <<<"$exit_section" || problem "lpactl.1.scd EXIT STATUS does not list $c"
done
for v in $(grep -ohE 'getenv\("[A-Z_]+"\)' "$src"/lpactl/*.cpp | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u); do
    grep -qF -- "*$v*" "$man/lpactl.1.scd" || problem "lpactl.1.scd does not document the environment variable $v"
done

# --- lpad.conf.5: the keys of the parser (k == "key" / key == "key") against the page's "*key* = _type_" entries.
parser_keys=$(grep -oE '\b(k|key) == "[a-z_]+"' "$src/lpad/daemon/config.cpp" | sed -E 's/.*"(.*)"/\1/' |
              grep -vxE 'trust|card' | sort -u)
[[ $(wc -l <<<"$parser_keys") -ge 10 ]] || problem "config.cpp: expected at least 10 keys, found: $parser_keys"
page_keys=$(grep -oE '^\*[a-z_]+\* = _' "$man/lpad.conf.5.scd" | sed -E 's/^\*([a-z_]+)\*.*/\1/' | sort -u)
for k in $parser_keys; do
    grep -qxF "$k" <<<"$page_keys" || problem "lpad.conf.5.scd does not document the key '$k'"
done
for k in $page_keys; do
    grep -qxF "$k" <<<"$parser_keys" || problem "lpad.conf.5.scd documents '$k', which the parser does not accept"
done
for table in '# [trust]' '# [[card]]'; do
    grep -qxF "$table" "$man/lpad.conf.5.scd" || problem "lpad.conf.5.scd has no section '$table'"
done

# --- the test tools' pages: every long option in a tool's --help is in its page, and every option the page
# documents (as *--name*) is in the help. Tools given as further arguments: check_man_sync.sh ... TOOL...
tools_checked=0
for tool in "${@:4}"; do
    name=$(basename "$tool")
    page="$man/$name.1.scd"
    [[ -f $page ]] || { problem "$name has no man page $page"; continue; }
    help_opts=$("$tool" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | grep -vx -- --help | sort -u)
    [[ -n $help_opts ]] || { problem "$name --help lists no option"; continue; }
    page_opts=$(grep -oE -- '\*--[a-z][a-z-]*\*' "$page" | tr -d '*' | grep -vx -- --help | sort -u)
    for o in $help_opts; do grep -qxF -- "$o" <<<"$page_opts" || problem "$name.1.scd does not document $o"; done
    for o in $page_opts; do grep -qxF -- "$o" <<<"$help_opts" || problem "$name.1.scd documents $o, unknown to --help"; done
    tools_checked=$((tools_checked + 1))
done

if ((failures)); then
    echo "$failures man page check(s) failed"
    exit 1
fi
echo "man pages in sync: lpad options, $checked lpactl help texts, $(wc -l <<<"$parser_keys") config keys, $tools_checked test tools"
