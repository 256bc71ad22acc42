#!/usr/bin/env bash
# End-to-end tests of `cluster-router parallel`: the list form on the embedded
# default cluster (this machine alone), then the broadcast form over real sshd
# nodes started by the shared fixture (tests/fixtures/sshd_nodes.sh).
#
#   bash tests/e2e/cli_parallel_test.sh build/cluster-router
#
# CTest runs it as the test `e2e.cli_parallel`. Prints PASS/FAIL per check;
# exits non-zero if any failed. Needs bash, coreutils, procps (pgrep), node
# (for JSON checks), and root with sshd for the broadcast part.

# shellcheck disable=SC2016,SC2317  # literal $ in commands on purpose; cleanup runs from trap
set -u

# shellcheck source=tests/e2e/cli_lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/cli_lib.sh" "$@"
FIXTURE="$(dirname -- "${BASH_SOURCE[0]}")/../fixtures/sshd_nodes.sh"
NODES=$(mktemp -d /tmp/cluster-cli-parallel.XXXXXX)
stop_nodes() { bash "$FIXTURE" stop "$NODES" --clean >/dev/null 2>&1; cleanup; }
trap stop_nodes EXIT

# interrupt SIGNAL PIDFILE COUNT -- ARGS...: starts the router in the
# background, waits until COUNT commands have written their pid to PIDFILE,
# sends SIGNAL and waits (10 s at most) for the router to end; sets RC, OUT
# and ERR like `run`.
interrupt() {
  local sig=$1 pidfile=$2 count=$3 router started=0
  shift 4
  "$ROUTER" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null &
  router=$!
  for _ in $(seq 1 100); do
    started=$(grep -c . "$pidfile" 2>/dev/null)
    [[ ${started:-0} -ge $count ]] && break
    sleep 0.1
  done
  [[ ${started:-0} -ge $count ]] || bad "only ${started:-0} of $count commands started within 10 s"
  while read -r p; do PIDS_TO_REAP+=("$p"); done <"$pidfile"
  kill -"$sig" "$router"
  for _ in $(seq 1 100); do kill -0 "$router" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$router" 2>/dev/null; then
    bad "the router still ran 10 s after SIG$sig"
    kill -KILL "$router"
  fi
  wait "$router"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# none_left PIDFILE: no process recorded in PIDFILE is still a `sleep 30`.
none_left() {
  local left p
  left=$(pgrep -x -f 'sleep 30')
  while read -r p; do
    grep -qx -- "$p" <<<"$left" && bad "pid $p (sleep 30) is still running"
  done <"$1"
}

# ---------------------------------------------------------------- help and usage

for args in "parallel --help" "help parallel"; do
  begin "help: cluster-router $args lists every option and exit status"
  # shellcheck disable=SC2086
  run -- $args
  expect_rc 0
  for opt in --file --broadcast --nodes --max-parallel --fail-fast --requires-os --requires-arch \
             --requires-capability --timeout --cwd --no-merge --progress --json 125 130; do
    grep -q -- "$opt" "$WORK/out" || bad "$args does not mention $opt"
  done
  end
done

begin "help: the overview lists parallel"
run -- help
expect_out_has '^  parallel '
end

printf '# only a comment\n\n   \n' >"$WORK/no-commands.txt"
# Each: the arguments, then a pattern stderr must match (naming the flag).
usage_cases=(
  "parallel|no command given"
  "parallel --|no command given"
  "parallel --json --|no command given"
  "parallel --broadcast -- 'touch $WORK/usage-ran' echo|--broadcast"
  "parallel --nodes $NODE_ID -- 'touch $WORK/usage-ran' echo|--nodes"
  "parallel --nodes a,,b -- 'touch $WORK/usage-ran'|--nodes"
  "parallel --nodes= -- 'touch $WORK/usage-ran'|--nodes"
  "parallel --nodes a, -- 'touch $WORK/usage-ran'|--nodes"
  "parallel --max-parallel 0 -- 'touch $WORK/usage-ran'|--max-parallel"
  "parallel --max-parallel abc -- 'touch $WORK/usage-ran'|--max-parallel"
  "parallel --max-parallel -2 -- 'touch $WORK/usage-ran'|--max-parallel"
  "parallel --max-parallel|--max-parallel"
  "parallel --timeout abc -- 'touch $WORK/usage-ran'|--timeout"
  "parallel --requires-os windows -- 'touch $WORK/usage-ran'|--requires-os"
  "parallel --requires-capability= -- 'touch $WORK/usage-ran'|--requires-capability"
  "parallel --fail-fast=yes -- 'touch $WORK/usage-ran'|parallel: unknown option .--fail-fast=yes"
  "parallel --node $NODE_ID -- 'touch $WORK/usage-ran'|parallel: unknown option .--node"
  "parallel --file $WORK/missing.txt|--file .*missing.txt"
  "parallel --file $WORK/no-commands.txt|--file .*no-commands.txt holds no command"
  "parallel --file $WORK/no-commands.txt -- 'touch $WORK/usage-ran'|--file, not both|-- or in --file"
  "parallel -- 'touch $WORK/usage-ran' ' '|command 2 is empty"
)
for case in "${usage_cases[@]}"; do
  args=${case%%|*}
  pattern=${case#*|}
  begin "usage: $args -> exit 2, names the problem, runs nothing"
  # Single quotes in a case keep a command with spaces one argument.
  eval "set -- $args"
  run -- "$@"
  expect_rc 2
  expect_err_has "$pattern"
  [[ ! -e $WORK/usage-ran ]] || { bad "a command ran"; rm -f "$WORK/usage-ran"; }
  end
done

# ---------------------------------------------------------------- the list form

begin "list: outputs in input order although the second finishes first"
run -- parallel -- 'sleep 0.3; echo a' 'echo b'
expect_rc 0
[[ $(sed -n 1p "$WORK/out") == "[1/2] $NODE_ID  exit 0  "*"  sleep 0.3; echo a" ]] || bad "line 1: $(sed -n 1p "$WORK/out")"
[[ $(sed -n 2p "$WORK/out") == a ]] || bad "line 2: $(sed -n 2p "$WORK/out")"
[[ $(sed -n 3p "$WORK/out") == "[2/2] $NODE_ID  exit 0  "*"  echo b" ]] || bad "line 3: $(sed -n 3p "$WORK/out")"
[[ $(sed -n 4p "$WORK/out") == b ]] || bad "line 4: $(sed -n 4p "$WORK/out")"
[[ $(sed -n 5p "$WORK/out") == "2 commands: 2 succeeded, 0 failed" ]] || bad "summary: $(sed -n 5p "$WORK/out")"
end

begin "list --json: the same batch, durations show the second finished first"
run -- parallel --json -- 'sleep 0.3; echo a' 'echo b'
expect_rc 0
json 'j.results.map((r) => r.stdout).join("") === "a\nb\n" && j.results[0].duration_ms >= 300 && j.results[1].duration_ms < j.results[0].duration_ms'
end

begin "list --progress: one line per finished command, in the order they finish"
run -- parallel --progress -- 'sleep 0.5; echo slow' 'exit 6'
expect_rc 1
[[ $(sed -n 1p "$WORK/err") == "1/2 $NODE_ID failed [2] exit 6" ]] || bad "progress line 1: $(sed -n 1p "$WORK/err")"
[[ $(sed -n 2p "$WORK/err") == "2/2 $NODE_ID ok [1] sleep 0.5; echo slow" ]] || bad "progress line 2: $(sed -n 2p "$WORK/err")"
end

begin "list: no progress lines when stderr is not a terminal and --progress is not given"
run -- parallel -- 'echo quiet'
expect_rc 0
expect_err ""
end

begin "list: one failing command -> exit 1, the others still succeed"
run -- parallel -- "echo first" 'echo partial; exit 3' "echo third"
expect_rc 1
expect_out_has "^\[1/3\] $NODE_ID  exit 0  .*  echo first\$"
expect_out_has "^\[2/3\] $NODE_ID  exit 3  .*  echo partial; exit 3\$"
expect_out_has "^\[3/3\] $NODE_ID  exit 0  .*  echo third\$"
expect_out_has '^partial$'
expect_out_has '^third$'
expect_out_has '^3 commands: 2 succeeded, 1 failed$'
end

begin "list: stderr lines are marked, stdout lines are not"
run -- parallel -- 'echo out; printf "e1\ne2" >&2'
expect_rc 0
expect_out_has '^out$'
expect_out_has '^stderr: e1$'
expect_out_has '^stderr: e2$'
end

begin "list --json: counts, fields and task ids"
run -- parallel --json -- 'echo a' 'exit 2' 'echo c >&2'
expect_rc 1
json 'j.total === 3 && j.succeeded === 2 && j.failed === 1 && j.stopped_by === null && !("groups" in j)'
json 'j.results[0].stdout === "a\n" && j.results[1].return_code === 2 && j.results[1].error === "command" && j.results[2].stderr === "c\n"'
json "j.results.every((r) => r.executed_on === '$NODE_ID' && Array.isArray(r.retried_from) && typeof r.duration_ms === 'number')"
json 'j.results.every((r, i) => r.task_id.endsWith("." + i)) && new Set(j.results.map((r) => r.task_id.split(".")[0])).size === 1'
end

begin "list: --max-parallel 1 never runs two at once (and without it they overlap)"
slot="mkdir $WORK/slot 2>/dev/null || echo overlap; sleep 0.3; rmdir $WORK/slot 2>/dev/null; true"
run -- parallel --max-parallel 1 -- "$slot" "$slot" "$slot"
expect_rc 0
grep -qx overlap "$WORK/out" && bad "two commands ran at once under --max-parallel 1"
run -- parallel -- "$slot" "$slot" "$slot"
expect_rc 0
grep -qx overlap "$WORK/out" || bad "without --max-parallel the commands did not overlap: the check proves nothing"
end

begin "list --fail-fast: after the first failure queued commands never start"
run -- parallel --max-parallel 1 --fail-fast -- 'exit 1' "touch $WORK/ff2" "touch $WORK/ff3"
expect_rc 1
expect_out_has "^\[1/3\] $NODE_ID  exit 1  "
expect_out_has '^\[2/3\] .*  cancelled  .*touch '
expect_out_has '^\[3/3\] .*  cancelled  .*touch '
expect_out_has '^3 commands: 0 succeeded, 3 failed \(2 cancelled\); stopped by the failure of \[1\] \(fail-fast\)$'
[[ ! -e $WORK/ff2 && ! -e $WORK/ff3 ]] || bad "a command after the failure ran"
end

begin "list --fail-fast: a running command is killed, --json names the culprit"
run -- parallel --json --fail-fast -- 'sleep 0.5; exit 1' "echo \$\$ > $WORK/ff.pid; exec sleep 30"
expect_rc 1
json 'j.results[1].error === "cancelled" && j.stopped_by === j.results[0].task_id && j.failed === 2'
gone "$WORK/ff.pid"
end

begin "list: --timeout applies to each command; the others are unaffected"
run -- parallel --timeout 0.5 -- "echo \$\$ > $WORK/to.pid; exec sleep 30" 'echo fine'
expect_rc 1
expect_out_has "^\[1/2\] $NODE_ID  timeout  "
expect_out_has '^error: timeout: '
expect_out_has "^\[2/2\] $NODE_ID  exit 0  "
expect_out_has '^fine$'
gone "$WORK/to.pid"
end

begin "list: --cwd applies to each command"
mkdir -p "$WORK/cwd dir"
run -- parallel --cwd "$WORK/cwd dir" -- pwd 'pwd; true'
expect_rc 0
[[ $(grep -cx -- "$WORK/cwd dir" "$WORK/out") == 2 ]] || bad "pwd did not print $WORK/cwd dir twice"
end

begin "list: a requirement no node meets fails every item, naming it, and runs nothing"
run -- parallel --requires-capability gpu-e2e-missing -- "touch $WORK/cap1" "touch $WORK/cap2"
expect_rc 1
[[ $(grep -c '^error: placement: .*gpu-e2e-missing' "$WORK/out") == 2 ]] || bad "expected two placement errors naming gpu-e2e-missing"
[[ ! -e $WORK/cap1 && ! -e $WORK/cap2 ]] || bad "a command ran"
end

begin "list --file: one command per line, comments, blank lines and CRLF skipped"
printf '# a comment\n\necho one\n   # indented comment\necho two\r\n\n' >"$WORK/commands.txt"
run -- parallel --file "$WORK/commands.txt"
expect_rc 0
[[ $(grep -c . "$WORK/out") == 5 ]] || bad "expected 5 lines (two commands, their output, the summary)"
[[ $(sed -n 1p "$WORK/out") == "[1/2] $NODE_ID  exit 0  "*"  echo one" ]] || bad "line 1: $(sed -n 1p "$WORK/out")"
[[ $(sed -n 2p "$WORK/out") == one ]] || bad "line 2: $(sed -n 2p "$WORK/out")"
[[ $(sed -n 3p "$WORK/out") == "[2/2] $NODE_ID  exit 0  "*"  echo two" ]] || bad "line 3: $(sed -n 3p "$WORK/out")"
[[ $(sed -n 4p "$WORK/out") == two ]] || bad "line 4: $(sed -n 4p "$WORK/out")"
end

begin "list --file -: the commands come from stdin"
STDIN="$WORK/commands.txt" run -- parallel --json --file -
expect_rc 0
json 'j.total === 2 && j.results[0].stdout === "one\n" && j.results[1].stdout === "two\n"'
end

# ---------------------------------------------------------------- broadcast on one node

begin "broadcast: the embedded default is one group of one node"
run -- parallel --broadcast -- 'echo hi'
expect_rc 0
[[ $(sed -n 1p "$WORK/out") == --------------- && $(sed -n 3p "$WORK/out") == --------------- ]] || bad "no separators around the node names"
[[ $(sed -n 2p "$WORK/out") == "$NODE_ID" ]] || bad "line 2 is not the node: $(sed -n 2p "$WORK/out")"
[[ $(sed -n 4p "$WORK/out") == "exit 0  "* ]] || bad "line 4 is not the outcome: $(sed -n 4p "$WORK/out")"
[[ $(sed -n 5p "$WORK/out") == hi ]] || bad "line 5 is not the output: $(sed -n 5p "$WORK/out")"
expect_out_has '^1 node: 1 succeeded, 0 failed$'
end

begin "broadcast: a requirement no node meets refuses the batch (exit 125)"
run -- parallel --broadcast --requires-os darwin -- "touch $WORK/bc-ran"
expect_rc 125
expect_err_has 'placement: .*'
expect_out_empty
[[ ! -e $WORK/bc-ran ]] || bad "the command ran"
end

begin "broadcast --json: an unknown node refuses the batch (exit 125), the JSON says why"
run -- parallel --json --nodes no-such-node-e2e -- "touch $WORK/bc-ran"
expect_rc 125
expect_err_has 'no-such-node-e2e'
json 'j.error === "placement" && j.error_message.includes("no-such-node-e2e") && j.total === 0'
[[ ! -e $WORK/bc-ran ]] || bad "the command ran"
end

begin "broadcast: a node named twice refuses the batch (exit 125)"
run -- parallel --nodes "$NODE_ID,$NODE_ID" -- "touch $WORK/bc-ran"
expect_rc 125
expect_err_has "invalid: .*$NODE_ID.*twice"
[[ ! -e $WORK/bc-ran ]] || bad "the command ran"
end

# ---------------------------------------------------------------- Ctrl-C

begin "interrupt: SIGINT cancels the whole batch, prints it, exit 130, no sleep left"
: >"$WORK/int.pids"
interrupt INT "$WORK/int.pids" 2 -- parallel -- "echo \$\$ >> $WORK/int.pids; exec sleep 30" "echo \$\$ >> $WORK/int.pids; exec sleep 30"
expect_rc 130
[[ $(grep -c '^\[[12]/2\] .*  cancelled  ' "$WORK/out") == 2 ]] || bad "expected both commands cancelled"
expect_out_has '; interrupted$'
none_left "$WORK/int.pids"
end

begin "interrupt: SIGTERM too; a queued command never starts"
: >"$WORK/term.pids"
interrupt TERM "$WORK/term.pids" 1 -- parallel --max-parallel 1 -- "echo \$\$ >> $WORK/term.pids; exec sleep 30" "touch $WORK/queued-ran"
expect_rc 130
expect_out_has '^\[2/2\] .*  cancelled  .*touch '
sleep 0.5
[[ ! -e $WORK/queued-ran ]] || bad "the queued command ran"
none_left "$WORK/term.pids"
end

# ---------------------------------------------------------------- broadcast on sshd nodes
if ! bash "$FIXTURE" start "$NODES" 3 >"$WORK/fixture.out" 2>"$WORK/fixture.err"; then
  echo "FAIL setup: the sshd fixture did not start: $(cat "$WORK/fixture.err")"
  exit 1
fi
# shellcheck source=/dev/null
source "$NODES/nodes.env"
# SSH_CONNECTION emptied: the local node's commands must not inherit ours.
CFG=(HOME="$WORK" CLUSTER_CONFIG="$NODES/nodes.json" SSH_CONNECTION=)
where='[ -n "$SSH_CONNECTION" ] && echo remote || echo local'
odd_one="case \"\$SSH_CONNECTION\" in *' $NODE2_IP $NODE_PORT') echo odd; exit 4;; *) echo same;; esac"

begin "nodes: broadcast to every node groups the identical remote ones"
run "${CFG[@]}" -- parallel --broadcast -- "$where"
expect_rc 0
expect_out_has '^node1,node2,node3 \(3\)$'
grep -A3 '^node1,node2,node3 (3)$' "$WORK/out" | grep -qx remote || bad "the remote group does not say remote"
grep -A3 -x -- "$NODE_ID" "$WORK/out" | grep -qx local || bad "the local node has no group of its own saying local"
[[ $(grep -c -- '^---------------$' "$WORK/out") == 4 ]] || bad "expected two groups (four separators)"
expect_out_has '^4 nodes: 4 succeeded, 0 failed$'
end

begin "nodes: --nodes with one differing node -> its own group, exit 1"
run "${CFG[@]}" -- parallel --nodes node1,node2,node3 -- "$odd_one"
expect_rc 1
expect_out_has '^node1,node3 \(2\)$'
expect_out_has '^node2$'
grep -A2 -x 'node2' "$WORK/out" | grep -q '^exit 4  ' || bad "node2's group does not say exit 4"
expect_out_has '^same$'
expect_out_has '^odd$'
expect_out_has '^3 nodes: 2 succeeded, 1 failed$'
end

begin "nodes: --json broadcast has groups with their shared outcome, results in --nodes order"
run "${CFG[@]}" -- parallel --json --nodes node3,node2,node1 -- "$odd_one"
expect_rc 1
json 'j.total === 3 && j.failed === 1 && j.results.map((r) => r.executed_on).join() === "node3,node2,node1"'
json 'j.groups.length === 2 && j.groups[0].nodes.join() === "node3,node1" && j.groups[0].stdout === "same\n" && j.groups[0].success === true'
json 'j.groups[1].nodes.join() === "node2" && j.groups[1].return_code === 4 && j.groups[1].stdout === "odd\n"'
end

begin "nodes: --no-merge prints every node on its own"
run "${CFG[@]}" -- parallel --no-merge --nodes node1,node2,node3 -- 'echo same'
expect_rc 0
for n in node1 node2 node3; do expect_out_has "^$n\$"; done
[[ $(grep -cx same "$WORK/out") == 3 ]] || bad "expected the output three times"
grep -q '(3)' "$WORK/out" && bad "the output was merged"
end

begin "nodes: broadcast with a requirement goes to the nodes meeting it only"
run "${CFG[@]}" -- parallel --broadcast --requires-capability sshd-test -- "$where"
expect_rc 0
expect_out_has '^node1,node2,node3 \(3\)$'
grep -qx -- "$NODE_ID" "$WORK/out" && bad "the local node (without sshd-test) ran it"
end

begin "nodes: list form with a requirement places each command on a node meeting it"
run "${CFG[@]}" -- parallel --json --requires-capability sshd-test -- "$where" "$where" "$where" "$where"
expect_rc 0
json 'j.total === 4 && j.results.every((r) => /^node[123]$/.test(r.executed_on) && r.stdout === "remote\n")'
end

begin "nodes: a node that is down reports its own connection error"
bash "$FIXTURE" stop-node "$NODES" 3 >/dev/null
run "${CFG[@]}" CLUSTER_SSH_RETRIES=0 -- parallel --nodes node1,node3 -- 'echo up'
expect_rc 1
expect_out_has '^node1$'
expect_out_has '^node3$'
expect_out_has '^error: connection: '
expect_out_has '^2 nodes: 1 succeeded, 1 failed$'
end

finish
