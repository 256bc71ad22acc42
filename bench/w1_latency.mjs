// W1 of bench/harness.mjs: one `true` on one node, the latency of a single
// remote command. Cold: a new process and a first connection (a server
// spawned for the call, timed from the spawn; the CLI, which is one-shot;
// the peers over a new ssh connection). Warm: connections open beforehand
// (a running server; the peers over ControlMaster masters). cluster-exec
// uses offload_to {command: "true", node_id: "node1"} and `cluster-router
// submit --node node1 -- true`, on a node file holding just node1.

import { runCli, cliContender, mcpCold, mcpWarm, withServer } from './cluster_exec.mjs';
import { broadcastRun, measure, peerContenders, rows } from './contenders.mjs';

export const tools = ['ssh', 'pdsh', 'clush', 'parallel-ssh', 'GNU parallel', 'ansible'];

const onNode1 = (sc) => (sc.success === true && sc.return_code === 0 && sc.executed_on === 'node1' ? null
  : `success=${sc.success} return_code=${sc.return_code} executed_on=${sc.executed_on} error=${sc.error} `
    + `${sc.error_message || ''}`.trim());
const job = (command, check = onNode1) => ({ tool: 'offload_to', args: { command, node_id: 'node1' },
  cli: ['submit', '--node', 'node1', '--', command], check });

// executed_on is cluster-exec's own word: sshd's SSH_CONNECTION (client
// address, port, server address, port) proves the command ran on the node.
function viaNode1(ctx) {
  const host = ctx.nodeHost('node1');
  return job('printenv SSH_CONNECTION', (sc) => onNode1(sc)
    ?? (sc.stdout.trim().split(' ')[2] === host ? null : `SSH_CONNECTION '${sc.stdout.trim()}', not to ${host}`));
}

export async function run(ctx) {
  const { opts } = ctx;
  const key = 'W1';
  return withServer(ctx, key, 1, 8, async (server) => {
    await runCli(ctx, server.file, `${key} SSH_CONNECTION check (CLI)`, viaNode1(ctx));
    const contenders = [
      mcpWarm(ctx, server, key, () => job('true')),
      mcpCold(ctx, server.file, key, () => job('true')),
      cliContender(ctx, server.file, key, () => job('true')),
      ...peerContenders(ctx, tools, (tool, cfg, name) => (tag, phase) => broadcastRun(ctx, `${key} ${phase} (${name})`,
        tool, cfg, ['node1'], 1, 'true', [])),
    ];
    // Once, before the measurements: the warm server's first call also opens its connection.
    if (await contenders[0].run('check', 'warm-up') !== null) {
      await mcpWarm(ctx, server, key, () => viaNode1(ctx)).run('check', 'SSH_CONNECTION check');
    }
    const samples = await measure(contenders, opts['w1-samples'], opts.warmup);
    return {
      key, unit: 'ms', title: 'W1  one `true` on one node (latency)',
      rows: rows(ctx, contenders, samples, tools),
      legend: [
        'cold: a new process and a first connection: the MCP server spawned for the call (spawn, initialize, '
          + 'connect, offload_to), the CLI (`cluster-router submit --node node1 -- true`), peers over a new ssh connection.',
        'warm: connections open: offload_to on a running server; peers over ControlMaster masters opened beforehand.',
      ],
    };
  });
}
