// W4 of bench/harness.mjs: the makespan of --w4-jobs `sleep` jobs of 0.1 s
// to --w4-max-sleep s (a list drawn from a seeded PRNG, printed with its
// seed) over --w4-nodes nodes with --w4-slots slots each: parallel_execute's
// list form and `cluster-router parallel --file` against GNU parallel
// --sshlogin SLOTS/nodeN and plain ssh with SLOTS processes per node taking
// the next job as one ends, beside the lower bound max(total work / slots,
// longest job) and the makespan of an overhead-free list schedule in input
// order (what any first-free-slot queue can reach at best).

import { prng } from './lib.mjs';
import { cliContender, commandFile, mcpWarm, withServer } from './cluster_exec.mjs';
import { itemProblems, summarize } from './checks.mjs';
import { listRun, measure, peerContenders, rows } from './contenders.mjs';

export const tools = ['ssh', 'GNU parallel'];

export function sleepList(opts) {
  const rand = prng(opts.seed);
  const span = opts['w4-max-sleep'] - 0.1;
  return Array.from({ length: opts['w4-jobs'] }, () => Math.round((0.1 + span * rand()) * 100) / 100);
}

// The overhead-free list schedule: each job in input order to the slot that
// frees first, which is what a first-free-slot queue achieves at best.
function listSchedule(durations, slots) {
  const free = new Array(slots).fill(0);
  for (const d of durations) {
    let k = 0;
    for (let i = 1; i < slots; i++) if (free[i] < free[k]) k = i;
    free[k] += d;
  }
  return Math.max(...free);
}

export async function run(ctx) {
  const { opts, capability } = ctx;
  const key = 'W4';
  const count = opts['w4-nodes'];
  const slots = opts['w4-slots'];
  const nodes = ctx.nodes.slice(0, count);
  const sleeps = sleepList(opts);
  const commands = sleeps.map((s) => `sleep ${s.toFixed(2)}`);
  const list = commandFile(ctx, `${key}.txt`, commands);
  const job = () => ({ tool: 'parallel_execute', args: { commands, requires_capabilities: [capability], timeout: 120 },
    cli: ['parallel', '--requires-capability', capability, '--timeout', '120', '--file', list],
    check: (sc) => summarize(itemProblems(sc, commands.length, new Set(nodes), (i, r) => (
      r.duration_ms < sleeps[i] * 1000 - 1 ? `'${commands[i]}' took only ${r.duration_ms} ms` : null))) });
  // GNU parallel's job log keeps whole milliseconds.
  const minRuntime = (command) => Number(command.split(' ')[1]) - 0.0015;
  const work = sleeps.reduce((a, b) => a + b, 0);
  const longest = Math.max(...sleeps);
  return withServer(ctx, key, count, slots, async (server) => {
    const contenders = [
      mcpWarm(ctx, server, key, job),
      cliContender(ctx, server.file, key, job),
      ...peerContenders(ctx, tools, (tool, cfg, name) => (tag, phase) => listRun(ctx, `${key} ${phase} (${name})`,
        tool, cfg, nodes, slots, commands, { expectOut: [], outOf: () => '', minRuntime })),
    ];
    const samples = await measure(contenders, opts.reps, opts.warmup);
    return {
      key, unit: 's', title: `W4  makespan of ${commands.length} sleep jobs on ${count} nodes x ${slots} slots `
        + `(seed ${opts.seed}: ${work.toFixed(2)} s of work, longest ${longest.toFixed(2)} s)`,
      rows: rows(ctx, contenders, samples, tools, { extra: [
        { name: 'lower bound max(work / slots, longest)', who: 'bound', value: Math.max(work / (count * slots), longest) * 1000 },
        { name: 'overhead-free list schedule, input order', who: 'bound', value: listSchedule(sleeps, count * slots) * 1000 },
      ] }),
      legend: [
        `GNU parallel: --sshlogin ${slots}/nodeN; ssh: ${slots} processes per node, each taking the next job as one ends.`,
        `sleeps (s, in order): ${sleeps.map((s) => s.toFixed(2)).join(' ')}`,
      ],
    };
  });
}
