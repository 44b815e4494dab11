# SPDX-License-Identifier: Apache-2.0
# Shared by the lpad fixtures (daemon/fixture.sh, pcsc/lpad_fixture.sh), sourced after they set LPACTL, tmp
# (their temp dir; on failure their cleanup prints lpad's log) and LPAD_PID (the running lpad, when there is one).
#   expect STATUS LPACTL-ARGS...   run lpactl (at most 150 s), check its exit status, keep its stdout in $out
#   check DESCRIPTION JQ-EXPR      jq on $out must print true
hung_report() {  # what lpad's threads were doing when a call hung
  echo "HUNG: $1" >&2
  if [[ -n ${LPAD_PID:-} ]] && kill -0 "$LPAD_PID" 2>/dev/null; then
    for t in /proc/"$LPAD_PID"/task/*; do echo "lpad thread ${t##*/}: $(cat "$t/comm") in $(cat "$t/wchan")" >&2; done
  else
    echo "lpad is not running" >&2
  fi
}
expect() {
  local want=$1; shift
  set +e
  # A hung call (client or daemon) fails here, naming the command, instead of hitting the ctest timeout.
  out="$(timeout -k 5 150 "$LPACTL" "$@" 2>"$tmp/err")"
  local got=$?
  set -e
  ((got != 124)) || hung_report "lpactl $*"
  if [[ $got != "$want" ]]; then
    echo "FAIL: lpactl $* exited $got, expected $want; stdout: $out; stderr: $(cat "$tmp/err")" >&2
    exit 1
  fi
}
check() {  # check DESCRIPTION EXPR (jq on $out must print true)
  if [[ "$(jq -r "$2" <<<"$out")" != true ]]; then
    echo "FAIL: $1: jq '$2' on: $out" >&2
    echo "---- lpactl stderr ----" >&2; cat "$tmp/err" >&2
    exit 1
  fi
}
