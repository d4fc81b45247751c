# TAP-like helpers of the in-image check suite; sourced by verify.sh.
# shellcheck shell=bash

TAP_N=0
TAP_FAILED=0

ok() {
  TAP_N=$((TAP_N + 1))
  echo "ok - $*"
}

not_ok() {
  TAP_N=$((TAP_N + 1))
  TAP_FAILED=$((TAP_FAILED + 1))
  echo "not ok - $1"
  shift
  local line
  for line in "$@"; do echo "#   $line"; done
}

# check "description" command...: ok when the command succeeds.
check() {
  local name="$1" out
  shift
  if out="$("$@" 2>&1)"; then ok "$name"; else not_ok "$name" "${out:-exit $?}"; fi
}

# expect_eq "description" expected actual
expect_eq() {
  if [[ "$3" == "$2" ]]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

tap_done() {
  echo "1..$TAP_N"
  if ((TAP_FAILED > 0)); then
    echo "# $TAP_FAILED of $TAP_N checks failed"
    return 1
  fi
  echo "# all $TAP_N checks passed"
}
