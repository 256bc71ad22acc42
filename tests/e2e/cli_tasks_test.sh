#!/usr/bin/env bash
# End-to-end tests of the task journal from the command line: live output of
# submit, submit --detach, status, logs, cancel, tasks, nodes, and the
# cluster-status watch, against the embedded default cluster (this machine).
#
#   bash tests/e2e/cli_tasks_test.sh build/cluster-router
#
# CTest runs it as the test `e2e.cli_tasks`. Prints PASS/FAIL per check;
# exits non-zero if any failed. Needs bash, coreutils, procps (pgrep),
# util-linux (script, for a terminal) and node (for JSON checks). Every run
# has its own state directory (CLUSTER_STATE_DIR, set by cli_lib.sh).

# shellcheck disable=SC2016,SC2317  # literal $ in commands on purpose; cleanup runs from trap
set -u

# shellcheck source=tests/e2e/cli_lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/cli_lib.sh" "$@"

# r ARGS...: the router with a 30 s cap, output as it comes.
r() { timeout --preserve-status -s KILL 30 "$ROUTER" "$@"; }

# detach COMMAND...: submits in the background; prints the task id.
detach() { r submit --detach -- "$@"; }

# wait_for SECONDS CONDITION: polls a shell condition every 0.05 s (quietly:
# a file a background job writes may not exist yet). Such files are emptied
# before the job starts, so a first look never counts an earlier check's.
wait_for() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 20; i++)); do
    if eval "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}

json_field() { # json_field FILE EXPR: prints a JS expression over the JSON in FILE as `j`
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}

# ---------------------------------------------------------------- help

begin "help: the overview names every subcommand and the exit codes"
run -- help
expect_rc 0
for cmd in submit explain parallel status logs cancel tasks cluster-status nodes config; do
  grep -Eq -- "^  $cmd( |$)" "$WORK/out" || bad "the overview does not list $cmd"
done
for code in 1 2 3 124 125 126 130; do
  grep -Eq -- "^  $code " "$WORK/out" || bad "the overview does not explain exit code $code"
done
end

for cmd in status logs cancel tasks nodes cluster-status config; do
  begin "help: $cmd --help and help $cmd print its usage"
  run -- "$cmd" --help
  expect_rc 0
  expect_out_has "^usage: cluster-router $cmd"
  run -- help "$cmd"
  expect_rc 0
  expect_out_has "^usage: cluster-router $cmd"
  end
done

begin "help: the options of the journal subcommands are documented"
for pair in "submit --detach" "status --follow" "logs --stderr" "logs --tail" "logs --follow" \
            "cancel --wait" "tasks --limit" "tasks --state" "cluster-status --watch" \
            "cluster-status --interval" "nodes --json"; do
  run -- help "${pair% *}"
  grep -q -- "${pair#* }" "$WORK/out" || bad "help ${pair% *} does not mention ${pair#* }"
done
end

# ---------------------------------------------------------------- usage

for args in "status" "logs" "cancel" "tasks --state bogus" "logs x --tail 0" "tasks --limit -1" \
            "status a b" "tasks --frobnicate" "cluster-status --interval 0" "submit --detach --"; do
  begin "usage: $args -> exit 2 with a message"
  # shellcheck disable=SC2086
  run -- $args
  expect_rc 2
  expect_err_nonempty
  end
done

# ---------------------------------------------------------------- submit streams

begin "submit: output arrives while the command runs"
: >"$WORK/live.out"; : >"$WORK/live.err"
"$ROUTER" submit -- 'echo a; sleep 2; echo b' >"$WORK/live.out" 2>"$WORK/live.err" &
live=$!
if wait_for 10 '[[ -s $WORK/live.out ]]'; then
  [[ $(cat "$WORK/live.out") == a ]] || bad "first output seen was $(cat -v "$WORK/live.out"), expected just 'a'"
  kill -0 "$live" 2>/dev/null || bad "the router had already exited when the first output appeared"
else
  bad "no output within 10 s"
fi
wait "$live"
RC=$?
expect_rc 0
[[ $(cat "$WORK/live.out") == $'a\nb' ]] || bad "final output: $(cat -v "$WORK/live.out")"
end

begin "submit: stderr is streamed too, and the exit status is the command's"
: >"$WORK/live.out"; : >"$WORK/live.err"
"$ROUTER" submit -- 'echo e1 >&2; sleep 2; echo e2 >&2; exit 4' >"$WORK/live.out" 2>"$WORK/live.err" &
live=$!
if wait_for 10 '[[ -s $WORK/live.err ]]'; then
  [[ $(cat "$WORK/live.err") == e1 ]] || bad "first stderr seen was $(cat -v "$WORK/live.err")"
  kill -0 "$live" 2>/dev/null || bad "the router had already exited"
else
  bad "no stderr within 10 s"
fi
wait "$live"
RC=$?
expect_rc 4
[[ $(cat "$WORK/live.err") == $'e1\ne2' ]] || bad "final stderr: $(cat -v "$WORK/live.err")"
end

# 200 KB of random bytes (invalid UTF-8 included) and a last line without a
# newline: what the command writes is what arrives, byte for byte.
head -c 200000 /dev/urandom >"$WORK/big.bin"
BIG_CMD="cat '$WORK/big.bin'; printf 'last line, no newline'; printf 'err-bytes\\001\\377' >&2"
bash -c "$BIG_CMD" >"$WORK/expected.out" 2>"$WORK/expected.err"

begin "submit: 200 KB of binary output on stdout and stderr, byte for byte"
r submit -- "$BIG_CMD" >"$WORK/got.out" 2>"$WORK/got.err"
RC=$?
expect_rc 0
cmp -s "$WORK/expected.out" "$WORK/got.out" || bad "stdout differs from the command's ($(wc -c <"$WORK/got.out") bytes)"
cmp -s "$WORK/expected.err" "$WORK/got.err" || bad "stderr differs: $(cat -v "$WORK/got.err")"
end

begin "submit --json: the task is in the journal, submitted by cli, succeeded"
run -- submit --json -- 'echo journaled'
expect_rc 0
id=$(json_field "$WORK/out" j.task_id)
run -- status "$id" --json
expect_rc 0
json "j.task_id === '$id' && j.state === 'succeeded' && j.submitter === 'cli' && j.return_code === 0"
json "j.executed_on === '$NODE_ID' && j.command === 'echo journaled' && typeof j.stdout_path === 'string'"
end

# ---------------------------------------------------------------- detach

begin "submit --detach: returns at once with an id; status --follow sees the end"
start=$(date +%s%N)
DET=$(detach 'sleep 3; echo finished; exit 3')
RC=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 0
[[ $DET =~ ^c-[0-9a-f]{8}$ ]] || bad "printed '$DET', not a task id"
(( took < 2500 )) || bad "took $took ms: it waited for the command"
run -- status "$DET"
expect_rc 0
expect_out_has "^state +(queued|running)"
run -- status "$DET" --follow
expect_rc 3
expect_out_has "^state +failed, exit 3"
expect_out_has '^finished '
end

begin "submit --detach: the record says cli-detached, and the output is in the journal"
run -- status "$DET" --json
expect_rc 0
json "j.state === 'failed' && j.return_code === 3 && j.submitter === 'cli-detached' && j.stdout_tail === 'finished\\n'"
run -- logs "$DET"
expect_rc 0
expect_out finished
ls "$CLUSTER_STATE_DIR"/runner-*.log >/dev/null 2>&1 && bad "a runner log was left behind: $(cat "$CLUSTER_STATE_DIR"/runner-*.log)"
end

begin "submit --detach --json: the id as an object"
run -- submit --detach --json -- true
expect_rc 0
json "/^c-[0-9a-f]{8}\$/.test(j.task_id) && Number.isInteger(j.runner_pid) && typeof j.log === 'string'"
end

# ---------------------------------------------------------------- logs

begin "logs: exactly the bytes the command wrote (200 KB, binary, no final newline)"
BIGID=$(detach "$BIG_CMD")
r status "$BIGID" --follow >/dev/null
r logs "$BIGID" >"$WORK/got.out"
RC=$?
expect_rc 0
cmp -s "$WORK/expected.out" "$WORK/got.out" || bad "logs stdout differs ($(wc -c <"$WORK/got.out") of $(wc -c <"$WORK/expected.out") bytes)"
r logs "$BIGID" --stderr >"$WORK/got.err"
cmp -s "$WORK/expected.err" "$WORK/got.err" || bad "logs --stderr differs: $(cat -v "$WORK/got.err")"
end

begin "logs --tail 3: the last three lines, with and without a final newline"
T1=$(detach 'printf "l1\nl2\nl3\nl4\nl5\n"')
T2=$(detach 'printf "l1\nl2\nl3\nl4"')
r status "$T1" --follow >/dev/null
r status "$T2" --follow >/dev/null
r logs "$T1" --tail 3 >"$WORK/got.out"
printf 'l3\nl4\nl5\n' | cmp -s - "$WORK/got.out" || bad "with newline: $(cat -v "$WORK/got.out")"
r logs "$T2" --tail 3 >"$WORK/got.out"
printf 'l2\nl3\nl4' | cmp -s - "$WORK/got.out" || bad "without newline: $(cat -v "$WORK/got.out")"
r logs "$T1" --tail 30 >"$WORK/got.out"
printf 'l1\nl2\nl3\nl4\nl5\n' | cmp -s - "$WORK/got.out" || bad "more lines than there are: $(cat -v "$WORK/got.out")"
end

begin "logs --follow: prints as the task writes and ends when it ends"
FID=$(detach 'for i in 1 2 3 4; do echo "step $i"; sleep 0.5; done')
: >"$WORK/follow.out"
r logs "$FID" --follow >"$WORK/follow.out" 2>"$WORK/follow.err" &
follower=$!
wait_for 10 'grep -q "step 1" "$WORK/follow.out"' || bad "no first step within 10 s"
grep -q "step 4" "$WORK/follow.out" && bad "the last step was there with the first"
kill -0 "$follower" 2>/dev/null || bad "logs --follow ended while the task ran"
wait "$follower"
RC=$?
expect_rc 0
printf 'step 1\nstep 2\nstep 3\nstep 4\n' | cmp -s - "$WORK/follow.out" || bad "followed output: $(cat -v "$WORK/follow.out")"
r status "$FID" --json >"$WORK/out"
json "j.state === 'succeeded'"
end

# ---------------------------------------------------------------- cancel

begin "cancel: a detached sleep is killed, and the task says cancelled"
# bash runs a lone command in place: the sleep's command line is exactly this.
SLEEP="sleep 6061.$$"
CID=$(detach "$SLEEP")
wait_for 10 'pgrep -fx "$SLEEP" >/dev/null' || bad "the sleep never started"
for p in $(pgrep -fx "$SLEEP"); do PIDS_TO_REAP+=("$p"); done
run -- cancel "$CID"
expect_rc 0
expect_out_has "^$CID cancelled"
wait_for 5 '! pgrep -fx "$SLEEP" >/dev/null' || bad "the sleep still runs: $(pgrep -afx "$SLEEP")"
run -- status "$CID"
expect_rc 0
expect_out_has '^state +cancelled'
run -- status "$CID" --follow
expect_rc 130
end

begin "cancel: an unknown id and an ended task are clear errors (exit 1)"
run -- cancel c-00000000
expect_rc 1
expect_err_has 'no task c-00000000'
run -- cancel "$DET"
expect_rc 1
expect_err_has 'already ended'
end

# ---------------------------------------------------------------- lookup

begin "status: an id prefix finds the task"
run -- status "${FID:0:7}"
expect_rc 0
expect_out_has "^task +$FID\$"
end

begin "status: an unknown id fails clearly (exit 1)"
run -- status no-such-task
expect_rc 1
expect_err_has 'no task no-such-task'
expect_out_empty
end

begin "status: a prefix of several ids fails with the candidates (exit 2)"
run -- status c-
expect_rc 2
expect_err_has "matches [0-9]+ tasks"
end

# ---------------------------------------------------------------- tasks

begin "tasks --limit 2 --state succeeded: only succeeded tasks, two of them"
run -- tasks --limit 2 --state succeeded --json
expect_rc 0
json "j.tasks.length === 2 && j.tasks.every((t) => t.state === 'succeeded')"
json "j.tasks[0].created_at >= j.tasks[1].created_at"
run -- tasks --limit 2 --state succeeded
expect_rc 0
[[ $(wc -l <"$WORK/out") -eq 3 ]] || bad "expected a header and two rows"
expect_out_has '^ID +STATE +NODE +STARTED +DURATION +EXIT +COMMAND'
[[ $(tail -n +2 "$WORK/out" | grep -cw succeeded) -eq 2 ]] || bad "rows are not both succeeded"
end

begin "tasks --state failed and cancelled: the failed and the cancelled one"
run -- tasks --state failed --json
expect_rc 0
json "j.tasks.some((t) => t.task_id === '$DET') && j.tasks.every((t) => t.state === 'failed')"
run -- tasks --state cancelled --json
json "j.tasks.length === 1 && j.tasks[0].task_id === '$CID'"
run -- tasks
expect_rc 0
grep -E "^$CID +cancelled" "$WORK/out" | grep -q "$SLEEP" || bad "no row for the cancelled task"
end

begin "tasks: plain text off a terminal, colour on one, none with NO_COLOR"
run -- tasks --limit 3
grep -q $'\033' "$WORK/out" && bad "escape codes in a pipe"
script -qec "env COLUMNS=60 '$ROUTER' tasks --limit 5" /dev/null >"$WORK/tty.out" 2>&1
grep -q $'\033\[3[0-9]m' "$WORK/tty.out" || bad "no colour on a terminal: $(head -c 300 "$WORK/tty.out" | cat -v)"
script -qec "env NO_COLOR=1 '$ROUTER' tasks --limit 5" /dev/null >"$WORK/tty.out" 2>&1
grep -q $'\033\[3[0-9]m' "$WORK/tty.out" && bad "colour despite NO_COLOR"
end

begin "tasks: rows are cut to the terminal's width, and say so"
script -qec "env COLUMNS=60 NO_COLOR=1 '$ROUTER' tasks" /dev/null >"$WORK/tty.out" 2>&1
tr -d '\r' <"$WORK/tty.out" >"$WORK/tty.txt"
# "…" is three bytes and one column.
longest=$(awk '{ n = length($0); if (index($0, "…")) n -= 2; if (n > m) m = n } END { print m + 0 }' "$WORK/tty.txt")
(( longest <= 60 )) || bad "a row is $longest columns wide on a 60-column terminal"
grep -q '…' "$WORK/tty.txt" || bad "no row was cut (the long commands should have been)"
run -- tasks
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$WORK/out")
(( longest > 60 )) || bad "rows were cut in a pipe too ($longest columns)"
end

# ---------------------------------------------------------------- no journal

touch "$WORK/not-a-dir"
begin "unwritable state directory: status and tasks say so (exit 3)"
for args in "status c-1" "tasks" "logs c-1" "cancel c-1"; do
  # shellcheck disable=SC2086
  run CLUSTER_STATE_DIR="$WORK/not-a-dir/state" -- $args
  [[ $RC -eq 3 ]] || bad "$args: exit $RC, expected 3"
  grep -q 'journal cannot be used' "$WORK/err" || bad "$args: stderr does not say why: $ERR"
  grep -q "$WORK/not-a-dir" "$WORK/err" || bad "$args: stderr does not name the directory"
done
end

begin "unwritable state directory: submit still runs the command"
run CLUSTER_STATE_DIR="$WORK/not-a-dir/state" -- submit -- 'printf "still runs"; exit 5'
expect_rc 5
expect_out "still runs"
end

begin "unwritable state directory: submit --detach runs nothing (exit 3)"
run CLUSTER_STATE_DIR="$WORK/not-a-dir/state" -- submit --detach -- "touch '$WORK/detach-ran'"
expect_rc 3
expect_err_has 'journal cannot be used'
sleep 0.5
[[ ! -e $WORK/detach-ran ]] || bad "the command ran"
end

# ---------------------------------------------------------------- nodes, watch

begin "nodes --json: the configured nodes"
run -- nodes --json
expect_rc 0
json "j.nodes.length === 1 && j.nodes[0].id === '$NODE_ID' && j.nodes[0].local === true && j.nodes[0].host === null"
json "Number.isInteger(j.nodes[0].slots) && Array.isArray(j.nodes[0].capabilities) && ['os','arch','aliases','specialties','port','user'].every((k) => k in j.nodes[0])"
run -- nodes
expect_rc 0
expect_out_has "^$NODE_ID +local +linux/"
end

begin "cluster-status --watch: redraws every interval until SIGINT, then exits 0"
: >"$WORK/watch.out"
"$ROUTER" cluster-status --watch --interval 0.3 >"$WORK/watch.out" 2>"$WORK/watch.err" &
watcher=$!
wait_for 15 '[[ $(grep -c "^local node:" "$WORK/watch.out") -ge 3 ]]' || bad "fewer than 3 rounds in 15 s"
kill -INT "$watcher"
wait "$watcher"
RC=$?
expect_rc 0
grep -q $'\033\[2J' "$WORK/watch.out" && bad "the screen was cleared in a file"
grep -Eqw -- "$NODE_ID" "$WORK/watch.out" || bad "no row for $NODE_ID"
end

begin "cluster-status --watch --json: one object per line"
: >"$WORK/watch.json"
"$ROUTER" cluster-status --watch --json --interval 0.3 >"$WORK/watch.json" 2>"$WORK/watch.err" &
watcher=$!
wait_for 15 '[[ $(wc -l <"$WORK/watch.json") -ge 2 ]]' || bad "fewer than 2 lines in 15 s"
kill -TERM "$watcher"
wait "$watcher"
RC=$?
expect_rc 0
head -n 1 "$WORK/watch.json" >"$WORK/out"
json "j.local_node === '$NODE_ID'"
end

finish
