// W3 of bench/harness.mjs: commands per second of --w3-echos distinct
// `echo` commands over --w3-nodes nodes, --w3-par at once (par / nodes on
// each). cluster-exec (parallel_execute's list form with max_parallel, and
// `cluster-router parallel --max-parallel --file`), GNU parallel
// (--sshlogin SLOTS/node) and plain ssh (SLOTS processes per node) take the
// list as it is, each command to a free slot. pdsh, clush, parallel-ssh and
// ansible run one command on a node set per invocation, so their fairest
// mapping is: echos / nodes invocations, each one distinct echo on all the
// nodes, SLOTS invocations in flight at once. That is the same number of
// remote commands, the same number per node and the same concurrency per
// node, and each tool fans out the way it is built to. (One invocation per
// command, -w one node, would only time the tool's start-up 200 times.)

import { ms, now } from './lib.mjs';
import { cliContender, commandFile, mcpWarm, withServer } from './cluster_exec.mjs';
import { itemProblems, summarize } from './checks.mjs';
import { broadcastRun, listRun, measure, peerContenders, rows } from './contenders.mjs';

const broadcasters = ['pdsh', 'clush', 'parallel-ssh', 'ansible'];
const listers = ['ssh', 'GNU parallel'];
export const tools = [...listers, ...broadcasters];

// Runs f(0..count-1) with at most `width` in flight.
async function pool(count, width, f) {
  let next = 0;
  const worker = async () => { while (next < count) await f(next++); };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

// Tagged with the repetition, so that no earlier repetition's output can pass for this one's.
const echoes = (count, tag) => {
  const words = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  return { words, commands: words.map((w) => `echo ${w}`) };
};

// The request of repetition `tag` as a cluster-exec job (bench/cluster_exec.mjs):
// `echos` distinct echos over `nodes`, `par` at once.
export function echoJob(ctx, key, nodes, echos, par, tag) {
  const { capability } = ctx;
  const { words, commands } = echoes(echos, tag);
  return { tool: 'parallel_execute',
    args: { commands, requires_capabilities: [capability], timeout: 120, max_parallel: par },
    cli: ['parallel', '--requires-capability', capability, '--timeout', '120', '--max-parallel', String(par),
      '--file', commandFile(ctx, `${key}-${tag}.txt`, commands)],
    check: (sc) => summarize(itemProblems(sc, commands.length, new Set(nodes), (i, r) => (r.stdout !== `${words[i]}\n`
      ? `echo ${words[i]} printed ${JSON.stringify(r.stdout).slice(0, 80)}` : null))) };
}

export async function run(ctx) {
  const { opts } = ctx;
  const key = 'W3';
  const count = opts['w3-nodes'];
  const par = opts['w3-par'];
  const slots = par / count;
  const nodes = ctx.nodes.slice(0, count);
  const rounds = opts['w3-echos'] / count;
  const job = (tag) => echoJob(ctx, key, nodes, opts['w3-echos'], par, tag);
  return withServer(ctx, key, count, slots, async (server) => {
    const warm = mcpWarm(ctx, server, key, job);
    const contenders = [
      warm,
      cliContender(ctx, server.file, key, job),
      ...peerContenders(ctx, listers, (tool, cfg, name) => (tag, phase) => {
        const { words, commands } = echoes(opts['w3-echos'], tag);
        return listRun(ctx, `${key} ${phase} (${name})`, tool, cfg, nodes, slots, commands,
          { expectOut: words, outOf: (c) => `${c.slice(5)}\n`, minRuntime: () => 0 });
      }),
      ...peerContenders(ctx, broadcasters, (tool, cfg, name) => async (tag, phase) => {
        const t0 = now();
        let ok = true;
        await pool(rounds, slots, async (j) => {
          const word = `${tag}-${j}`;
          const v = await broadcastRun(ctx, `${key} ${phase} (${name})`, tool, cfg, nodes, count, `echo ${word}`, [word]);
          if (v === null) ok = false;
        });
        return ok ? ms(t0, now()) : null;
      }),
    ];
    const samples = await measure(contenders, opts.reps, opts.warmup);
    return {
      key, unit: 'cmd/s', title: `W3  ${opts['w3-echos']} echo commands on ${count} nodes, ${par} at once `
        + `(${slots} per node): commands per second`,
      rows: rows(ctx, contenders, samples, tools, { toValue: (t) => opts['w3-echos'] / (t / 1000) }),
      usage: warm.usage(), commands: opts['w3-echos'],
      legend: [
        `cluster-exec, GNU parallel (--sshlogin ${slots}/nodeN) and ssh (${slots} processes per node): `
          + `${opts['w3-echos']} distinct echo commands, each to a node with a free slot.`,
        `pdsh, clush, parallel-ssh, ansible: ${rounds} invocations, each one distinct echo on all ${count} nodes, `
          + `${slots} invocations at once: the same remote commands, ${rounds} per node, ${slots} per node at once.`,
      ],
    };
  });
}
