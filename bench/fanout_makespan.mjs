// Scenario (a) of bench/parallel_fanout.mjs: the makespan of --jobs `sleep`
// jobs of 0.1-2 s (a list drawn from a seeded PRNG, printed with its seed)
// over --nodes-a nodes with --slots-a slots each: parallel_execute's list
// form against GNU parallel --sshlogin SLOTS/nodeN, beside the lower bound
// max(total work / slots, longest job) and the makespan of an overhead-free
// list schedule in input order (what any first-free-slot queue can reach at
// best).

import { listContender, measure, parallelList, peerContenders, withServer } from './fanout_harness.mjs';
import { ceRow, peerRows, table } from './fanout_report.mjs';

// mulberry32: a tiny seeded PRNG, so that the sleep list is the same for
// every contender and every run with the same --seed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// Drawn afresh where needed: the report must show the list even when the
// measurement never started.
function sleepList(opts) {
  const rand = prng(opts.seed);
  return Array.from({ length: opts.jobs }, () => Math.round((0.1 + 1.9 * rand()) * 100) / 100);
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

// Resolves to { samples: name -> [ms], note }.
export async function run(ctx) {
  const { opts } = ctx;
  const count = opts['nodes-a'];
  const slots = opts['slots-a'];
  const nodes = ctx.nodes.slice(0, count);
  const sleeps = sleepList(opts);
  const commands = sleeps.map((s) => `sleep ${s.toFixed(2)}`);
  return withServer(ctx, 'a', count, slots, async ({ client }) => {
    const ce = listContender(ctx, client, 'a', nodes, () => ({ commands, expect: (i, r) => (
      r.duration_ms < sleeps[i] * 1000 - 1 ? `'${commands[i]}' took only ${r.duration_ms} ms` : null) }));
    const gnu = peerContenders(ctx, ['GNU parallel'], (tool, cfg, name) => async (tag, phase) => parallelList(ctx,
      `(a) ${phase} (${name})`, cfg, nodes, slots, commands, [], (command) => Number(command.split(' ')[1]) - 0.0015));
    return { samples: await measure(ctx, [ce.contender, ...gnu]), note: ce.note('jobs') };
  });
}

// `outcome` is what run() resolved to, undefined when it threw.
export function report(ctx, outcome) {
  const { opts } = ctx;
  const sleeps = sleepList(opts);
  const slots = opts['nodes-a'] * opts['slots-a'];
  const work = sleeps.reduce((a, b) => a + b, 0);
  const longest = Math.max(...sleeps);
  const bound = Math.max(work / slots, longest);
  table(ctx, `(a) makespan of ${opts.jobs} sleep jobs on ${opts['nodes-a']} nodes x ${opts['slots-a']} slots `
    + `(seed ${opts.seed}: ${work.toFixed(2)} s of work, longest ${longest.toFixed(2)} s)`, 's', [
    { name: 'lower bound max(work / slots, longest)', value: bound * 1000 },
    { name: 'overhead-free list schedule, input order', value: listSchedule(sleeps, slots) * 1000 },
    ceRow(outcome?.samples),
    ...peerRows(ctx, outcome?.samples, ['GNU parallel']),
  ], [
    'cluster-exec ÷ row: below 1, cluster-exec finished sooner; against the bounds, its distance from them.',
    `GNU parallel: --sshlogin ${opts['slots-a']}/nodeN for each node. ${outcome?.note || ''}`,
    `sleeps (s, in order): ${sleeps.map((s) => s.toFixed(2)).join(' ')}`,
  ]);
}
