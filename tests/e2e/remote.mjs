// The MCP tools against real sshd nodes started by the shared fixture
// (tests/fixtures/sshd_nodes.sh): commands on named and routed remote nodes,
// cancellation that kills the remote group, and honest failures.

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import {
  check, expect, eq, makeTempDir, toolResult, textOf, LOCAL_NODE,
  sleeperCommand, sleeperPidFiles,
} from './util.mjs';
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
      s = await openLegacy(bin, { CLUSTER_CONFIG: join(dir, 'nodes.json'), CLUSTER_SSH_RETRIES: '0' });
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
      // Not probed yet: no made-up figures.
      eq(sc.nodes.node1.status, 'unknown', 'node1 status');
      eq(sc.nodes.node1.cpu_percent, null, 'node1 cpu_percent');
      eq(sc.nodes.node1.slots, 8, 'node1 slots');
      eq(sc.nodes[LOCAL_NODE].reachable, true, 'local reachable');
    });

    await check('remote.cluster_bash: a light command stays on the local node', async () => {
      const sc = toolResult(await s.call('cluster_bash', { command: 'ls / | wc -l' }));
      eq(sc.executed_on, LOCAL_NODE, 'executed_on');
      eq(sc.auto_routed, true, 'auto_routed');
      expect(sc.routing_reason.includes('stays on the local node'), `routing_reason: ${sc.routing_reason}`);
    });

    await check('remote.cluster_bash: a heavy command goes where there is headroom', async () => {
      // The local node has a measured load; the remote ones have free slots
      // and (not sampled yet) no load on record, so the build leaves home.
      const sc = toolResult(await s.call('cluster_bash', { command: 'cd / && make -s -f /dev/null -q x 2>/dev/null; exit 0' }));
      expect(['node1', 'node2'].includes(sc.executed_on), `executed_on ${sc.executed_on}`);
      expect(sc.routing_reason.includes('heavy command (cd, make'), `routing_reason: ${sc.routing_reason}`);
      expect(sc.routing_reason.includes('of 3 eligible'), `routing_reason: ${sc.routing_reason}`);
    });

    await check('remote.parallel_execute: 12 commands, all succeed, input order kept', async () => {
      const commands = Array.from({ length: 12 }, (_, i) => `echo ${i}`);
      const sc = toolResult(await s.call('parallel_execute', { commands }));
      eq(sc.succeeded, 12, 'succeeded');
      sc.results.forEach((r, i) => eq(r.stdout, `${i}\n`, `results[${i}].stdout`));
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
  } finally {
    if (s) await s.close?.().catch(() => {});
    try { execFileSync('bash', [fixture, 'stop', dir]); } catch { /* reported by the checks */ }
  }
}
