// The MCP tools against real sshd nodes started by the shared fixture
// (tests/fixtures/sshd_nodes.sh): commands on named and routed remote nodes,
// cancellation that kills the remote group, and honest failures.

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import {
  check, expect, eq, makeTempDir, toolResult, textOf, LOCAL_NODE,
  sleeperCommand, sleeperPidFiles, waitFor,
} from './util.mjs';
import { NODE_STATUSES } from './schemas.mjs';
import { openLegacy } from './sessions.mjs';
import { cancelAndProve } from './async.mjs';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sshd_nodes.sh');

function nodeEnv(dir) {
  const env = {};
  for (const line of readFileSync(join(dir, 'nodes.env'), 'utf8').split('\n')) {
    const m = line.match(/^(\w+)=(.*)$/);
    if (m) env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
  }
  return env;
}

export async function remoteChecks(bin) {
  // Short enough for the fixture's ControlPath limit, removed at exit.
  const dir = makeTempDir('ssh');
  let s;
  try {
    await check('remote.setup: two sshd nodes and a session', async () => {
      execFileSync('bash', [fixture, 'start', dir, '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
      // Thresholds out of reach and one local slot: where a command goes then
      // depends on what the checks do, not on how busy this machine is.
      s = await openLegacy(bin, {
        CLUSTER_CONFIG: join(dir, 'nodes.json'), CLUSTER_SSH_RETRIES: '0', CLUSTER_LOCAL_SLOTS: '1',
        CLUSTER_CPU_THRESHOLD: '100', CLUSTER_LOAD_THRESHOLD: '1000000', CLUSTER_MEMORY_THRESHOLD: '100',
      });
      await s.client.listTools(); // so the SDK validates every result's schema
    });
    if (!s) return;
    const ips = nodeEnv(dir);

    await check('remote.offload_to: runs over SSH on the named node', async () => {
      const sc = toolResult(await s.call('offload_to', { command: 'echo "$SSH_CONNECTION"; exit 3', node_id: 'node1' }));
      eq(sc.executed_on, 'node1', 'executed_on');
      eq(sc.error, 'command', 'error');
      eq(sc.return_code, 3, 'return_code');
      expect(sc.stdout.trim().endsWith(`${ips.NODE1_IP} ${ips.NODE_PORT}`), `stdout: ${sc.stdout}`);
    });

    await check('remote.cluster_status: every configured node is listed', async () => {
      const sc = toolResult(await s.call('cluster_status', {}));
      eq(Object.keys(sc.nodes).sort().join(','), [LOCAL_NODE, 'node1', 'node2'].sort().join(','), 'nodes');
      const n1 = sc.nodes.node1;
      expect(NODE_STATUSES.includes(n1.status) && n1.status !== 'unreachable', `node1 status: ${n1.status}`);
      // Maybe not probed yet: then no made-up figures.
      if (n1.status === 'unknown') {
        eq(n1.cpu_percent, null, 'node1 cpu_percent while unknown');
        eq(n1.sample_age_ms, null, 'node1 sample_age_ms while unknown');
      }
      eq(n1.slots, 8, 'node1 slots');
      eq(JSON.stringify(n1.capabilities), JSON.stringify(['sshd-test']), 'node1 capabilities');
      eq(JSON.stringify(sc.nodes[LOCAL_NODE].capabilities), '[]', 'local capabilities');
      eq(sc.nodes[LOCAL_NODE].reachable, true, 'local reachable');
    });

    await check('remote.cluster_status: refresh=true probes every node over SSH', async () => {
      const before = Date.now();
      const sc = toolResult(await s.call('cluster_status', { refresh: true }));
      for (const id of ['node1', 'node2']) {
        const n = sc.nodes[id];
        expect(['healthy', 'busy'].includes(n.status), `${id} status ${n.status} (error ${n.error})`);
        eq(n.reachable, true, `${id} reachable`);
        expect(Date.parse(n.sampled_at) >= before, `${id} sampled_at ${n.sampled_at} is older than the call`);
        expect(typeof n.cpu_percent === 'number', `${id} cpu_percent ${n.cpu_percent}`);
        eq(n.consecutive_failures, 0, `${id} consecutive_failures`);
        eq(n.config_mismatch, null, `${id} config_mismatch`);
      }
    }, { timeoutMs: 30_000 });

    await check('remote.cluster_bash: a light command stays on the local node', async () => {
      const sc = toolResult(await s.call('cluster_bash', { command: 'ls / | wc -l' }));
      eq(sc.executed_on, LOCAL_NODE, 'executed_on');
      eq(sc.auto_routed, true, 'auto_routed');
      expect(sc.routing_reason.includes('stays on the local node'), `routing_reason: ${sc.routing_reason}`);
    });

    await check('remote.cluster_bash: a heavy command goes where there is headroom', async () => {
      // The local node's one slot is taken, so the build must leave home.
      const hold = s.call('cluster_bash', { command: 'sleep 2', auto_route: false });
      await waitFor(async () => {
        const st = toolResult(await s.call('cluster_status', {}));
        return st.nodes[LOCAL_NODE].busy_slots === 1;
      }, { what: 'the local slot to be taken' });
      const command = 'cd / && make -s -f /dev/null -q x 2>/dev/null; exit 0';
      const x = toolResult(await s.call('cluster_bash', { command, explain: true })).explanation;
      expect(['node1', 'node2'].includes(x.would_run_on), `explain: would_run_on ${x.would_run_on}`);
      const local = x.nodes.find((n) => n.node === LOCAL_NODE);
      expect(local && local.eligible, `explain: local verdict ${JSON.stringify(local)}`);
      const sc = toolResult(await s.call('cluster_bash', { command }));
      expect(['node1', 'node2'].includes(sc.executed_on), `executed_on ${sc.executed_on}`);
      expect(sc.routing_reason.includes('heavy command (cd, make'), `routing_reason: ${sc.routing_reason}`);
      expect(sc.routing_reason.includes('of 3 eligible'), `routing_reason: ${sc.routing_reason}`);
      toolResult(await hold);
    }, { timeoutMs: 30_000 });

    await check('remote.requires_capabilities: only nodes offering it qualify', async () => {
      const x = toolResult(await s.call('cluster_bash', { command: 'uname -n', requires_capabilities: ['sshd-test'], explain: true })).explanation;
      eq(x.nodes.map((n) => n.node).sort().join(','), [LOCAL_NODE, 'node1', 'node2'].sort().join(','), 'explained nodes');
      const local = x.nodes.find((n) => n.node === LOCAL_NODE);
      expect(!local.eligible && local.note.includes('sshd-test'), `local verdict: ${JSON.stringify(local)}`);
      expect(['node1', 'node2'].includes(x.would_run_on), `would_run_on ${x.would_run_on}`);
      const sc = toolResult(await s.call('cluster_bash', { command: 'true', requires_capabilities: ['sshd-test'] }));
      expect(['node1', 'node2'].includes(sc.executed_on), `executed_on ${sc.executed_on}`);
      const res = await s.call('cluster_bash', { command: 'true', requires_capabilities: ['sshd-test', 'gpu-e2e-missing'] });
      const bad = toolResult(res, { isError: true });
      eq(bad.error, 'placement', 'error with a capability no node has');
      expect(bad.error_message.includes('gpu-e2e-missing'), `error_message: ${bad.error_message}`);
    });

    await check('remote.parallel_execute: 12 commands, all succeed, input order kept', async () => {
      const commands = Array.from({ length: 12 }, (_, i) => `echo ${i}`);
      const sc = toolResult(await s.call('parallel_execute', { commands }));
      eq(sc.succeeded, 12, 'succeeded');
      sc.results.forEach((r, i) => eq(r.stdout, `${i}\n`, `results[${i}].stdout`));
    });

    await check('remote.parallel_execute: a broadcast folds identical output into one group', async () => {
      const res = await s.call('parallel_execute', { command: 'uname -s', nodes: ['node2', 'node1'] });
      const sc = toolResult(res);
      eq(sc.results.map((r) => r.executed_on).join(','), 'node2,node1', 'result order follows nodes');
      eq(sc.groups.length, 1, 'groups');
      eq(sc.groups[0].nodes.join(','), 'node2,node1', 'groups[0].nodes');
      expect(textOf(res).includes('node2,node1'), `text: ${textOf(res)}`);
    });

    await check('remote.parallel_execute: broadcast=true reaches every node; differing output splits', async () => {
      const sc = toolResult(await s.call('parallel_execute', {
        command: 'echo "$SSH_CONNECTION" | cut -d" " -f3', broadcast: true,
      }));
      eq(sc.results.length, 3, 'one result per node');
      eq(sc.groups.length, 3, 'groups');
      eq(sc.results.find((r) => r.executed_on === 'node1').stdout, `${ips.NODE1_IP}\n`, 'node1 stdout');
    });

    await check('remote.cancel: kills the remote process group, no response', async () => {
      const tmp = makeTempDir('ssh-cancel');
      const command = sleeperCommand(tmp);
      await cancelAndProve(s, 'offload_to', { command, node_id: 'node2' }, command, sleeperPidFiles(tmp));
    }, { timeoutMs: 30_000 });

    await check('remote.offload_to: unknown node is a placement error naming the known ones', async () => {
      const res = await s.call('offload_to', { command: 'true', node_id: 'node9' });
      const sc = toolResult(res, { isError: true });
      eq(sc.error, 'placement', 'error');
      expect(textOf(res).includes('node1'), `text: ${textOf(res)}`);
    });

    await check('remote.offload_to: a stopped node is a retriable connection error', async () => {
      execFileSync('bash', [fixture, 'stop-node', dir, '2']);
      const sc = toolResult(await s.call('offload_to', { command: 'true', node_id: 'node2' }), { isError: true });
      eq(sc.error, 'connection', 'error');
      eq(sc.retriable, true, 'retriable');
      eq(sc.return_code, null, 'return_code');
    });

    await check('remote.cluster_status: refresh=true reports the stopped node unreachable', async () => {
      const res = await s.call('cluster_status', { refresh: true });
      const n = toolResult(res).nodes.node2;
      eq(n.status, 'unreachable', 'node2 status');
      eq(n.reachable, false, 'node2 reachable');
      expect(typeof n.error === 'string' && n.error.length > 0, `node2 error: ${n.error}`);
      expect(n.consecutive_failures >= 1, `node2 consecutive_failures: ${n.consecutive_failures}`);
      eq(n.cpu_percent, null, 'node2 cpu_percent');
      const row = textOf(res).split('\n').find((l) => l.startsWith('node2 '));
      expect(row && row.includes('unreachable') && row.includes(n.error), `node2 row: ${row}`);
    }, { timeoutMs: 30_000 });
  } finally {
    if (s) await s.close?.().catch(() => {});
    try { execFileSync('bash', [fixture, 'stop', dir]); } catch { /* reported by the checks */ }
  }
}
