# Shared harness of the cluster-router CLI checks: argument handling, a clean
# environment, PASS/FAIL bookkeeping, and expectations over one run's exit
# status, stdout and stderr. Sourced by the cli_*_test.sh scripts with their
# arguments.

# shellcheck shell=bash disable=SC2034  # variables are used by the sourcing scripts
if [[ $# -ne 1 ]]; then
  echo "usage: bash ${BASH_SOURCE[1]} <path-to-cluster-router>" >&2
  exit 2
fi
ROUTER=$(realpath -- "$1")
if [[ ! -x "$ROUTER" ]]; then
  echo "FAIL setup: $ROUTER is not an executable file" >&2
  exit 1
fi
command -v node >/dev/null || { echo "FAIL setup: node is needed for the JSON checks"; exit 1; }

NODE_ID=$(hostname -s)
ARCH=$(uname -m)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cluster-router-e2e.XXXXXX")
PIDS_TO_REAP=()

cleanup() {
  local p
  for p in "${PIDS_TO_REAP[@]}"; do
    # Only sleeps our own commands started and reported.
    if [[ -r /proc/$p/cmdline ]] && tr '\0' ' ' </proc/"$p"/cmdline | grep -q '^sleep '; then
      kill -KILL "$p" 2>/dev/null
    fi
  done
  rm -rf -- "$WORK"
}
trap cleanup EXIT

# Clean environment for the router: none of our CLUSTER_* settings leak in.
while IFS='=' read -r name _; do
  [[ $name == CLUSTER_* ]] && unset "$name"
done < <(env)
# The task journal and spooled output of these runs stay in the scratch
# directory: a test never writes to the real home.
export CLUSTER_STATE_DIR="$WORK/state"

PASSED=0
FAILED=()
CUR=""
CUR_OK=1

REASONS=()

begin() { CUR=$1; CUR_OK=1; REASONS=(); }
bad() {
  CUR_OK=0
  REASONS+=("$*")
}
end() {
  if [[ $CUR_OK -eq 1 ]]; then
    echo "PASS $CUR"; PASSED=$((PASSED + 1))
  else
    echo "FAIL $CUR"; FAILED+=("$CUR")
    printf '    %s\n' "${REASONS[@]}"
    echo "    stdout: $(head -c 400 "$WORK/out" | cat -v)"
    echo "    stderr: $(head -c 400 "$WORK/err" | cat -v)"
  fi
}

# run [ENV=VAL ...] -- ARGS...: runs the router (30 s cap); sets RC, output in $WORK/out, $WORK/err.
# Its stdin is $STDIN when set, else /dev/null.
run() {
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  # --preserve-status: a hung router shows as 137, never as a fake 124.
  env "${envs[@]}" timeout --preserve-status -s KILL 30 "$ROUTER" "$@" >"$WORK/out" 2>"$WORK/err" <"${STDIN:-/dev/null}"
  RC=$?
  [[ $RC -ne 137 ]] || REASONS+=("the router was killed after running 30 s")
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

expect_rc() { [[ $RC -eq $1 ]] || bad "exit code: expected $1, got $RC"; }
expect_out() { [[ $OUT == "$1" ]] || bad "stdout: expected $(printf %q "$1"), got $(printf %q "$OUT")"; }
expect_err() { [[ $ERR == "$1" ]] || bad "stderr: expected $(printf %q "$1"), got $(printf %q "$ERR")"; }
expect_out_has() { grep -Eq -- "$1" "$WORK/out" || bad "stdout does not match /$1/"; }
expect_err_has() { grep -Eiq -- "$1" "$WORK/err" || bad "stderr does not match /$1/"; }
expect_err_nonempty() { [[ -n $ERR ]] || bad "stderr is empty (expected a message)"; }
expect_out_empty() { [[ -z $OUT ]] || bad "stdout should be empty"; }

# json EXPR: evaluates a JS boolean expression over the stdout JSON as `j`.
json() {
  local msg
  msg=$(node -e '
    const fs = require("fs");
    let j;
    try { j = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); }
    catch (e) { console.log("not JSON: " + e.message); process.exit(1); }
    const ok = eval(process.argv[2]);
    if (!ok) { console.log("JSON check failed: " + process.argv[2]); process.exit(1); }
  ' "$WORK/out" "$1") || bad "$msg"
}

# gone PIDFILE...: the PIDs in the files must be dead (zombies count) within 5 s.
gone() {
  local f p state alive
  for f in "$@"; do
    for _ in $(seq 1 50); do [[ -s $f ]] && break; sleep 0.1; done
    p=$(cat "$f" 2>/dev/null)
    [[ -n $p ]] || { bad "no pid in $f"; continue; }
    PIDS_TO_REAP+=("$p")
    alive=1
    for _ in $(seq 1 50); do
      state=$(sed 's/.*) //' /proc/"$p"/stat 2>/dev/null | cut -c1)
      if [[ -z $state || $state == Z || $state == X ]]; then alive=0; break; fi
      sleep 0.1
    done
    [[ $alive -eq 0 ]] || bad "pid $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)) still alive 5 s later"
  done
}


# finish: prints the summary and exits non-zero if any check failed.
finish() {
  echo
  echo "$PASSED/$((PASSED + ${#FAILED[@]})) CLI checks passed"
  if [[ ${#FAILED[@]} -gt 0 ]]; then
    echo "Failed:"
    printf '  - %s\n' "${FAILED[@]}"
    exit 1
  fi
  exit 0
}
