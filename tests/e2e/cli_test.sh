#!/usr/bin/env bash
# End-to-end tests of the cluster-router CLI against the embedded default
# cluster (this machine, one node named `hostname -s`).
#
#   bash tests/e2e/cli_test.sh build/cluster-router
#
# CTest runs it as the test `e2e.cli`. Prints PASS/FAIL per check; exits
# non-zero if any failed. Needs bash, coreutils and node (for JSON checks).

# shellcheck disable=SC2000,SC2016,SC2317  # literal $ in commands on purpose; cleanup runs from trap
set -u

# shellcheck source=tests/e2e/cli_lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/cli_lib.sh" "$@"

# ---------------------------------------------------------------- help and usage

for args in "--help" "help" "submit --help" "explain --help" "help explain" "cluster-status --help"; do
  begin "help: cluster-router $args -> usage on stdout, exit 0"
  # shellcheck disable=SC2086
  run -- $args
  expect_rc 0
  expect_out_has '[Uu]sage'
  end
done

begin "help: submit --help lists its options"
run -- submit --help
for opt in --node --os --arch --requires-os --requires-arch --requires-capability --timeout --cwd --no-auto-route --output-limit --json; do
  grep -q -- "$opt" "$WORK/out" || bad "submit --help does not mention $opt"
done
end

begin "help: explain --help lists its options and exit statuses"
run -- explain --help
for opt in --node --requires-os --requires-arch --requires-capability --no-auto-route --json 125; do
  grep -q -- "$opt" "$WORK/out" || bad "explain --help does not mention $opt"
done
end

begin "help: the overview lists explain"
run -- help
expect_out_has '^  explain '
end

begin "usage: no subcommand -> usage on stderr, exit 2"
run --
expect_rc 2
expect_out_empty
expect_err_has 'usage'
end

begin "usage: unknown subcommand -> message on stderr, exit 2"
run -- frobnicate
expect_rc 2
expect_err_has 'frobnicate'
end

begin "usage: unknown submit option -> exit 2"
run -- submit --bogus-option -- true
expect_rc 2
expect_err_has 'bogus-option'
end

begin "usage: unknown cluster-status option -> exit 2"
run -- cluster-status --bogus-option
expect_rc 2
expect_err_has 'bogus-option'
end

begin "usage: submit without a command -> exit 2"
run -- submit --
expect_rc 2
expect_err_nonempty
end

begin "usage: explain without a command -> exit 2 naming explain"
run -- explain --
expect_rc 2
expect_err_has 'explain: no command'
end

begin "usage: unknown explain option -> exit 2"
run -- explain --bogus-option -- true
expect_rc 2
expect_err_has 'explain: unknown option .--bogus-option'
end

for bad_opt in "--requires-os windows" "--requires-arch sparc" "--requires-capability="; do
  begin "usage: explain $bad_opt -> usage error, exit 2"
  # shellcheck disable=SC2086
  run -- explain $bad_opt -- true
  expect_rc 2
  expect_err_has "${bad_opt%%[ =]*}"
  end
done

# ---------------------------------------------------------------- submit

begin "submit: one argument is a shell command string"
run -- submit -- 'echo $HOME | wc -c'
expect_rc 0
expect_out "$(echo "$HOME" | wc -c)"
end

begin "submit: several arguments are an argv, quoted exactly"
run -- submit -- printf '[%s]' 'a b' '$x' "it's" ''
expect_rc 0
expect_out "[a b][\$x][it's][]"
end

begin "submit: stdout and stderr go to their own streams, bytes exact"
run -- submit -- 'printf "out\nno newline"; echo err >&2'
expect_rc 0
printf 'out\nno newline' | cmp -s - "$WORK/out" || bad "stdout bytes differ"
expect_err "err"
end

begin "submit: exit code of the command (7)"
run -- submit -- 'echo partial; exit 7'
expect_rc 7
expect_out "partial"
end

begin "submit: --timeout 0.5 on sleep 30 -> exit 124, message, process gone"
run -- submit --timeout 0.5 -- "sleep 30 & echo \$! > $WORK/t.pid; wait"
expect_rc 124
expect_err_nonempty
gone "$WORK/t.pid"
end

begin "submit: --cwd honoured"
mkdir -p "$WORK/cwd dir"
run -- submit --cwd "$WORK/cwd dir" -- pwd
expect_rc 0
[[ $OUT == "$WORK/cwd dir" || $OUT == "$(realpath "$WORK/cwd dir")" ]] || bad "pwd printed $OUT"
end

begin "submit: missing --cwd -> exit 126 naming it"
run -- submit --cwd "$WORK/no-such-dir" -- pwd
expect_rc 126
expect_err_has "no-such-dir"
end

begin "submit: --node <local node> and --os/--arch of this machine"
run -- submit --node "$NODE_ID" --os linux --arch "$ARCH" -- uname -s
expect_rc 0
expect_out "Linux"
end

begin "submit: --no-auto-route runs locally"
run -- submit --no-auto-route -- echo local
expect_rc 0
expect_out "local"
end

begin "submit: --os darwin -> exit 125 naming it"
run -- submit --os darwin -- true
expect_rc 125
expect_err_has 'darwin|macos'
end

begin "submit: unknown --node -> exit 125 naming it"
run -- submit --node no-such-node-e2e -- true
expect_rc 125
expect_err_has 'no-such-node-e2e'
end

for bad_opt in "--os windows" "--arch sparc" "--timeout abc" "--timeout -1" "--output-limit 0"; do
  begin "submit: invalid option value $bad_opt -> usage error, exit 2"
  # shellcheck disable=SC2086
  run -- submit $bad_opt -- true
  expect_rc 2
  expect_err_has "${bad_opt%% *}|${bad_opt#* }"
  end
done

begin "submit: --output-limit 100 truncates 10000 bytes"
run -- submit --output-limit 100 -- "head -c 10000 /dev/zero | tr '\\0' x"
expect_rc 0
expect_out_has '\[\.\.\. [0-9]+ bytes omitted \.\.\.\]'
size=$(wc -c <"$WORK/out")
(( size < 200 )) || bad "stdout is $size bytes"
end

begin "submit --json: structured result, exit code of the command"
run -- submit --json -- 'echo hi; echo oops >&2; exit 3'
expect_rc 3
json 'j.stdout === "hi\n" && j.stderr === "oops\n" && j.return_code === 3 && j.success === false && j.error === "command"'
json "j.executed_on === '$NODE_ID' && j.signal === null && typeof j.duration_ms === 'number' && typeof j.task_id === 'string'"
json '["stdout_truncated","stderr_truncated","stdout_bytes","stderr_bytes","auto_routed","routing_reason","retriable","error_message"].every((k) => k in j)'
end

begin "submit --json: timeout -> exit 124, error timeout"
run -- submit --json --timeout 0.5 -- 'echo before; sleep 30'
expect_rc 124
json 'j.error === "timeout" && j.return_code === null && j.stdout === "before\n"'
end

begin "submit --json: placement -> exit 125, error placement"
run -- submit --json --os darwin -- true
expect_rc 125
json 'j.error === "placement" && /darwin|macos/i.test(j.error_message)'
end

begin "submit --json: bad --cwd -> exit 126, error spawn"
run -- submit --json --cwd "$WORK/no-such-dir" -- true
expect_rc 126
json 'j.error === "spawn" && j.error_message.includes("no-such-dir")'
end

begin "submit: --requires-capability no node offers -> exit 125 naming it, nothing runs"
run -- submit --requires-capability gpu-e2e-missing -- "touch $WORK/cap-ran"
expect_rc 125
expect_err_has 'capability gpu-e2e-missing'
[[ ! -e $WORK/cap-ran ]] || bad "the command ran"
end

begin "submit: --requires-os / --requires-arch spell --os / --arch"
run -- submit --requires-os linux --requires-arch "$ARCH" -- uname -s
expect_rc 0
expect_out "Linux"
end

# ---------------------------------------------------------------- explain

begin "explain: -- make names the local node and runs nothing"
run -- explain -- "make -f /dev/null; touch $WORK/explain-ran"
expect_rc 0
[[ $(head -n 1 "$WORK/out") == "would run on $NODE_ID: "* ]] || bad "first line: $(head -n 1 "$WORK/out")"
expect_out_has "^  $NODE_ID: eligible"
expect_out_has 'heavy'
[[ ! -e $WORK/explain-ran ]] || bad "explain ran the command"
end

begin "explain: --requires-os darwin -- ls -> exit 125 naming os=darwin"
run -- explain --requires-os darwin -- ls
expect_rc 125
expect_err_has 'placement: .*os=darwin'
expect_out_has "^no node can run it: .*os=darwin"
expect_out_has "^  $NODE_ID: not eligible, lacks os=darwin"
end

begin "explain: exits as submit would (125) for an unknown --node and a missing capability"
for args in "--node no-such-node-e2e" "--requires-capability gpu-e2e-missing"; do
  # shellcheck disable=SC2086
  run -- explain $args -- true
  [[ $RC -eq 125 ]] || bad "explain $args: exit $RC, expected 125"
  grep -q -- "${args#* }" "$WORK/err" || bad "explain $args: stderr does not name ${args#* }"
done
end

begin "explain: submit's other options are accepted and change nothing"
run -- explain --timeout 5 --cwd /nonexistent --output-limit 10 --node "$NODE_ID" -- ls
expect_rc 0
expect_out_has "^would run on $NODE_ID: named node"
end

begin "explain --json: the decision as an object"
run -- explain --json --no-auto-route -- make
expect_rc 0
json "j.would_run_on === '$NODE_ID' && j.error === null && j.auto_routed === false && j.would_wait === false"
json "j.weight === 'heavy' && Array.isArray(j.nodes) && j.nodes.some((n) => n.node === '$NODE_ID' && n.eligible && typeof n.score === 'number')"
end

begin "explain --json: no node -> exit 125, error names it"
run -- explain --json --requires-os darwin -- ls
expect_rc 125
json "j.would_run_on === null && /os=darwin/.test(j.error) && j.nodes.every((n) => !n.eligible && n.score === null)"
end

# ---------------------------------------------------------------- command policy
# Every refused command sits behind `false &&`: were the policy broken, only
# the harmless touch would run, and the check fail.

begin "policy: submit -- 'rm -rf /' -> exit 125, the rule on stderr, nothing runs"
run -- submit -- "false && rm -rf / ; touch $WORK/policy-ran"
expect_rc 125
expect_err_has 'policy: .*recursive-delete-root'
expect_err_has '"rm -rf /"'
[[ ! -e $WORK/policy-ran ]] || bad "the refused command ran"
run -- submit -- "false && rm -rf /tmp/x ; touch $WORK/policy-ran"
expect_rc 0
[[ -e $WORK/policy-ran ]] || bad "the same line without rm -rf / did not run"
end

begin "policy: submit --json -> error policy, no exit status"
run -- submit --json -- "false && dd if=/dev/zero of=/dev/sdz9"
expect_rc 125
json 'j.error === "policy" && j.return_code === null && j.error_message.includes("write-block-device")'
end

begin "policy: explain says the policy would refuse it, exit 125"
run -- explain -- 'sudo mkfs.ext4 /dev/sdz9'
expect_rc 125
expect_out_has '^would not run: .*format-block-device'
expect_err_has 'policy: .*format-block-device'
end

begin "policy: the node file's policy disables rules and denies programs"
cat >"$WORK/policy.json" <<'JSON'
{"policy": {"disable": ["write-block-device"], "deny_programs": ["touch"]}}
JSON
run -- submit --config "$WORK/policy.json" -- "touch $WORK/denied"
expect_rc 125
expect_err_has 'denied-program'
[[ ! -e $WORK/denied ]] || bad "a denied program ran"
run -- explain --config "$WORK/policy.json" -- 'dd if=/dev/zero of=/dev/sdz9'
expect_rc 0
run -- config --config "$WORK/policy.json"
expect_out_has '^  deny_programs  touch'
end

begin "policy: a malformed policy stops the program, naming the key"
echo '{"policy": {"disable": ["no-such-rule"]}}' >"$WORK/bad-policy.json"
run -- submit --config "$WORK/bad-policy.json" -- echo should-not-run
expect_rc 2
expect_err_has 'policy.disable\[0\]'
[[ $OUT != *should-not-run* ]] || bad "the command ran"
end

# ---------------------------------------------------------------- cluster-status

begin "cluster-status: table row for the local node"
run -- cluster-status
expect_rc 0
grep -Ew -- "$NODE_ID" "$WORK/out" | grep -Eq 'healthy|busy' || bad "no row naming $NODE_ID with its status"
end

begin "cluster-status: a node over a threshold is busy"
run CLUSTER_MEMORY_THRESHOLD=0.001 -- cluster-status
expect_rc 0
grep -Ew -- "$NODE_ID" "$WORK/out" | grep -Eq 'busy' || bad "no busy row naming $NODE_ID"
end

begin "cluster-status --json: the status object"
run -- cluster-status --json
expect_rc 0
json "j.local_node === '$NODE_ID' && j.nodes['$NODE_ID'].reachable === true && j.nodes['$NODE_ID'].os === 'linux'"
json "['cpu_percent','memory_percent','load_1m','load_5m','load_15m','cpu_count','arch','status','slots','busy_slots','queued','sampled_at'].every((k) => k in j.nodes['$NODE_ID']) && Number.isInteger(j.queue_limit)"
json "const n = j.nodes['$NODE_ID']; ['healthy','busy'].includes(n.status) && Array.isArray(n.capabilities) && n.config_mismatch === null && n.consecutive_failures === 0"
# The CLI asks for a fresh sample: it is at most a few seconds old.
json "const n = j.nodes['$NODE_ID']; Number.isInteger(n.sample_age_ms) && n.sample_age_ms < 10000 && Date.now() - Date.parse(n.sampled_at) < 30000"
end

# ---------------------------------------------------------------- environment

for bad_env in CLUSTER_CMD_TIMEOUT=abc CLUSTER_LOG_LEVEL=loud CLUSTER_OUTPUT_LIMIT=-5 CLUSTER_LOCAL_SLOTS=many CLUSTER_PROGRESS_INTERVAL=soon; do
  begin "env: $bad_env -> refuses to start, exit 2, names the variable"
  run "$bad_env" -- submit -- echo should-not-run
  expect_rc 2
  expect_err_has "${bad_env%%=*}"
  [[ $OUT != *should-not-run* ]] || bad "the command ran"
  end
done

begin "env: CLUSTER_CMD_TIMEOUT=0.5 is the default timeout (exit 124)"
run CLUSTER_CMD_TIMEOUT=0.5 -- submit -- 'sleep 30'
expect_rc 124
end

begin "env: CLUSTER_OUTPUT_LIMIT=100 is the default output limit"
run CLUSTER_OUTPUT_LIMIT=100 -- submit -- "head -c 10000 /dev/zero | tr '\\0' x"
expect_rc 0
expect_out_has 'bytes omitted'
end

begin "env: CLUSTER_LOCAL_SLOTS=9 shows in cluster-status --json"
run CLUSTER_LOCAL_SLOTS=9 -- cluster-status --json
expect_rc 0
json "j.nodes['$NODE_ID'].slots === 9"
end

finish
