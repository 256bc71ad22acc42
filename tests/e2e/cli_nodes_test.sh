#!/usr/bin/env bash
# End-to-end tests of cluster-router with a configuration: `config` and its
# provenance, bad configuration, and commands on real sshd nodes started by
# the shared fixture (tests/fixtures/sshd_nodes.sh).
#
#   bash tests/e2e/cli_nodes_test.sh build/cluster-router
#
# CTest runs it as the test `e2e.cli_nodes`.

# shellcheck disable=SC2016  # literal $ in remote commands on purpose
set -u

# shellcheck source=tests/e2e/cli_lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/cli_lib.sh" "$@"
FIXTURE="$(dirname -- "${BASH_SOURCE[0]}")/../fixtures/sshd_nodes.sh"
NODES=$(mktemp -d /tmp/cluster-cli-nodes.XXXXXX)
stop_nodes() { bash "$FIXTURE" stop "$NODES" --clean >/dev/null 2>&1; cleanup; }
trap stop_nodes EXIT

# ---------------------------------------------------------------- configuration
begin "config: no node file -> embedded default, defaults with their source"
run HOME="$WORK" XDG_CONFIG_HOME="$WORK/xdg" -- config
expect_rc 0
expect_out_has 'embedded default'
expect_out_has 'cmd_timeout.*300.*default'
expect_out_has "$NODE_ID"
end

begin "config: --set and the environment show their source"
run HOME="$WORK" CLUSTER_SSH_RETRIES=4 -- config --set cmd_timeout=600
expect_rc 0
expect_out_has 'cmd_timeout.*600.*flag --set'
expect_out_has 'ssh_retries.*4.*env CLUSTER_SSH_RETRIES'
end

begin "config: a bad --set value is a usage error naming the key"
run HOME="$WORK" -- --set cmd_timeout=abc submit -- true
expect_rc 2
expect_err_has 'cmd_timeout'
end

begin "config: an unknown --set key is refused"
run HOME="$WORK" -- config --set no_such_setting=1
expect_rc 2
expect_err_has 'no_such_setting'
end

begin "config: a missing --config file is an error naming it"
run HOME="$WORK" -- --config "$WORK/missing.json" submit -- true
expect_rc 2
expect_err_has 'missing.json'
end

begin "config: malformed JSON names the file and where"
printf '{"nodes": [ {"id": "x",, } ]}' >"$WORK/bad.json"
run HOME="$WORK" CLUSTER_CONFIG="$WORK/bad.json" -- submit -- true
expect_rc 2
expect_err_has 'bad.json'
end

# ---------------------------------------------------------------- real sshd nodes
if ! bash "$FIXTURE" start "$NODES" 2 >"$WORK/fixture.out" 2>"$WORK/fixture.err"; then
  echo "FAIL setup: the sshd fixture did not start: $(cat "$WORK/fixture.err")"
  exit 1
fi
# shellcheck source=/dev/null
source "$NODES/nodes.env"
CFG=(HOME="$WORK" CLUSTER_CONFIG="$NODES/nodes.json")

begin "nodes: config lists both remote nodes and the local one"
run "${CFG[@]}" -- config
expect_rc 0
expect_out_has 'node1'
expect_out_has 'node2'
expect_out_has "$NODE1_IP"
expect_out_has "$NODE_ID"
end

begin "nodes: cluster-status probes the remote nodes first"
run "${CFG[@]}" -- cluster-status
expect_rc 0
expect_out_has '^node1 +(healthy|busy) '
expect_out_has '^node2 +(healthy|busy) '
expect_out_has "^$NODE_ID "
end

begin "nodes: cluster-status --json has capabilities, ages and failure counts"
run "${CFG[@]}" -- cluster-status --json
expect_rc 0
json "['node1','node2'].every((id) => { const n = j.nodes[id]; return n.reachable === true && JSON.stringify(n.capabilities) === '[\"sshd-test\"]' && Number.isInteger(n.sample_age_ms) && n.consecutive_failures === 0 && n.config_mismatch === null; })"
end

begin "nodes: explain --requires-capability picks a node offering it"
run "${CFG[@]}" -- explain --requires-capability sshd-test -- make
expect_rc 0
expect_out_has '^would run on node[12]: '
expect_out_has "^  $NODE_ID: not eligible, lacks capability sshd-test"
expect_out_has '^  node1: eligible'
expect_out_has '^  node2: eligible'
end

begin "nodes: explain --node names that node"
run "${CFG[@]}" -- explain --node node2 -- ls
expect_rc 0
expect_out_has '^would run on node2: named node'
end

begin "nodes: submit --node runs over SSH on that node"
run "${CFG[@]}" -- submit --node node1 -- 'echo "$SSH_CONNECTION"; echo err >&2; exit 5'
expect_rc 5
expect_out_has " $NODE1_IP $NODE_PORT\$"
expect_err_has '^err$'
end

begin "nodes: argv form is quoted exactly on the remote side"
run "${CFG[@]}" -- submit --node node2 -- printf '[%s]' 'a b' '$HOME' "it's"
expect_rc 0
expect_out "[a b][\$HOME][it's]"
end

begin "nodes: remote timeout -> exit 124"
run "${CFG[@]}" -- submit --node node2 --timeout 0.5 -- 'sleep 30'
expect_rc 124
expect_err_has 'timed out'
end

begin "nodes: unknown node -> exit 125 listing the known ones"
run "${CFG[@]}" -- submit --node node9 -- true
expect_rc 125
expect_err_has 'node1'
end

begin "nodes: CLUSTER_NODE1_HOST overrides the node's address"
run "${CFG[@]}" CLUSTER_NODE1_HOST="$NODE2_IP" -- submit --node node1 -- 'echo "$SSH_CONNECTION"'
expect_rc 0
expect_out_has " $NODE2_IP $NODE_PORT\$"
end

begin "nodes: strict host keys refuse an unknown host (exit 125, host key)"
: >"$WORK/empty_known_hosts"
run "${CFG[@]}" -- submit --set known_hosts="$WORK/empty_known_hosts" --node node1 -- true
expect_rc 125
expect_err_has 'host.key'
end

begin "nodes: accept-new records the key once, then matches"
run "${CFG[@]}" -- submit --set known_hosts="$WORK/new_known_hosts" --set host_key_policy=accept-new --node node1 -- true
expect_rc 0
# One line, node1's: a command for a named node touches no other node.
[[ $(grep -c . "$WORK/new_known_hosts" 2>/dev/null) == 1 ]] || bad "expected one known_hosts line"
[[ $(grep -c "^$NODE1_IP " "$WORK/new_known_hosts" 2>/dev/null) == 1 ]] || bad "expected node1's key"
run "${CFG[@]}" -- submit --set known_hosts="$WORK/new_known_hosts" --set host_key_policy=strict --node node1 -- true
expect_rc 0
end

begin "nodes: a stopped node fails fast with a connection error (exit 125)"
bash "$FIXTURE" stop-node "$NODES" 2 >/dev/null
run "${CFG[@]}" CLUSTER_SSH_RETRIES=0 -- submit --node node2 -- true
expect_rc 125
expect_err_has 'connection'
end

finish
