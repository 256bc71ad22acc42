// W2 and W5 of bench/harness.mjs: one command on every one of N nodes, the
// time until every node's result is in (W2: `uname -a` on 4 nodes; W5:
// `true` on 32). cluster-exec: parallel_execute {command, broadcast: true}
// on a running server and on one spawned for the call, and `cluster-router
// parallel --broadcast`; the peers in their broadcast form with a fan-out of
// at least 32 (pdsh -f, clush -f, parallel-ssh -p, GNU parallel --nonall -j,
// ansible -f, plain ssh: one process per node at once).

import { spawnSync } from 'node:child_process';
import { ceNames, cliContender, mcpCold, mcpWarm, withServer } from './cluster_exec.mjs';
import { countBy, itemProblems, summarize } from './checks.mjs';
import { broadcastRun, measure, peerContenders, rows } from './contenders.mjs';

export const tools = ['ssh', 'pdsh', 'clush', 'parallel-ssh', 'GNU parallel', 'ansible'];

// The nodes are sshds on this machine: their uname is ours.
export const unameLines = () => [spawnSync('uname', ['-a'], { encoding: 'utf8' }).stdout.trim()];

// `expected`: the stdout lines every node must print.
export function workload(key, count, command, expected) {
  return { key, count, run: (ctx) => run(ctx, key, count, command, expected) };
}

async function run(ctx, key, count, command, expected) {
  const { opts, capability } = ctx;
  const nodes = ctx.nodes.slice(0, count);
  const fanout = Math.max(32, count);
  const stdout = expected.map((l) => `${l}\n`).join('');
  const check = (sc) => {
    const problems = itemProblems(sc, count, new Set(nodes), (i, r) => (r.stdout === stdout ? null
      : `${r.executed_on} printed ${JSON.stringify(r.stdout).slice(0, 100)}`));
    const on = countBy(sc.results.map((r) => r.executed_on));
    const missing = nodes.filter((n) => on.get(n) !== 1);
    if (missing.length) problems.push(`not exactly once: ${missing.slice(0, 5).join(' ')}${missing.length > 5 ? ' ...' : ''}`);
    return summarize(problems);
  };
  const job = () => ({ tool: 'parallel_execute',
    args: { command, broadcast: true, requires_capabilities: [capability], timeout: 60 },
    cli: ['parallel', '--broadcast', '--requires-capability', capability, '--timeout', '60', '--', command], check });
  return withServer(ctx, key, count, 2, async (server) => {
    const warm = mcpWarm(ctx, server, key, job);
    const contenders = [
      warm,
      mcpCold(ctx, server.file, key, job),
      cliContender(ctx, server.file, key, job),
      ...peerContenders(ctx, tools, (tool, cfg, name) => (tag, phase) => broadcastRun(ctx, `${key} ${phase} (${name})`,
        tool, cfg, nodes, fanout, command, expected)),
    ];
    const samples = await measure(contenders, opts.reps, opts.warmup);
    return {
      key, unit: 'ms', title: `${key}  \`${command}\` on all ${count} nodes (broadcast), until every result is in`,
      rows: rows(ctx, contenders, samples, tools), usage: warm.usage(), commands: count,
      legend: [
        `cluster-exec: parallel_execute {command, broadcast: true, requires_capabilities: ["${capability}"]}; `
          + `CLI: cluster-router parallel --broadcast. Peers: fan-out ${fanout}; GNU parallel with --nonall.`,
        `${ceNames.cold}: from spawning the server to every result, its ${count} connections made on the way.`,
      ],
    };
  });
}
