// Scenario (b) of bench/parallel_fanout.mjs: commands per second of --echos
// distinct `echo` commands over --nodes-b nodes, --slots-b at once on each.
// cluster-exec and GNU parallel take the list as it is. pdsh, clush and
// parallel-ssh run one command on a node set per invocation, so their
// fairest mapping is: echos/nodes invocations, each running one distinct
// echo on all the nodes, with --slots-b invocations in flight at once. That
// is the same number of remote commands, the same number per node and the
// same concurrency per node, and each tool fans out the way it is built to;
// the one difference, that the nodes of one invocation share its text, costs
// nothing here. (One invocation per command, -w one node, would only time
// the tool's start-up 200 times.)

import { ms, now } from './lib.mjs';
import { broadcast, listContender, measure, parallelList, peerContenders, withServer } from './fanout_harness.mjs';
import { ceRow, peerRows, table } from './fanout_report.mjs';

// Runs f(0..count-1) with at most `width` in flight.
async function pool(count, width, f) {
  let next = 0;
  const worker = async () => { while (next < count) await f(next++); };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

// Resolves to { samples: name -> [commands per second], note }.
export async function run(ctx) {
  const { opts } = ctx;
  const count = opts['nodes-b'];
  const slots = opts['slots-b'];
  const nodes = ctx.nodes.slice(0, count);
  const rounds = opts.echos / count;
  // Tagged with the repetition, so that no earlier repetition's output can pass for this one's.
  const echoes = (tag) => {
    const words = Array.from({ length: opts.echos }, (_, i) => `${tag}-${i}`);
    return { words, commands: words.map((w) => `echo ${w}`) };
  };
  return withServer(ctx, 'b', count, slots, async ({ client }) => {
    const ce = listContender(ctx, client, 'b', nodes, (tag) => {
      const { words, commands } = echoes(tag);
      return { commands, expect: (i, r) => (r.stdout !== `${words[i]}\n`
        ? `echo ${words[i]} printed ${JSON.stringify(r.stdout).slice(0, 80)}` : null) };
    });
    const broadcasters = peerContenders(ctx, ['pdsh', 'clush', 'parallel-ssh'], (tool, cfg, name) => async (tag, phase) => {
      const t0 = now();
      let ok = true;
      await pool(rounds, slots, async (j) => {
        const word = `${tag}-${j}`;
        const { problem } = await broadcast(tool, cfg, nodes, count, `echo ${word}`, (line) => line === word);
        if (problem) { ok = false; ctx.fail(`(b) ${phase} (${name})`, problem.replaceAll(word, 'WORD')); }
      });
      return ok ? ms(t0, now()) : null;
    });
    const gnu = peerContenders(ctx, ['GNU parallel'], (tool, cfg, name) => async (tag, phase) => {
      const { words, commands } = echoes(tag);
      return parallelList(ctx, `(b) ${phase} (${name})`, cfg, nodes, slots, commands, words, () => 0);
    });
    const samples = await measure(ctx, [ce.contender, ...broadcasters, ...gnu]);
    // Rates: the same number of commands over each run's wall time.
    return { samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((t) => opts.echos / (t / 1000))])),
      note: ce.note('commands') };
  });
}

// `outcome` is what run() resolved to, undefined when it threw.
export function report(ctx, outcome) {
  const { opts } = ctx;
  const par = opts['nodes-b'] * opts['slots-b'];
  const rounds = opts.echos / opts['nodes-b'];
  table(ctx, `(b) ${opts.echos} echo commands on ${opts['nodes-b']} nodes, ${par} at once (${opts['slots-b']} per node)`,
    'cmd/s', [
      ceRow(outcome?.samples),
      ...peerRows(ctx, outcome?.samples, ['pdsh', 'clush', 'parallel-ssh', 'GNU parallel']),
    ], [
      'cluster-exec ÷ row: above 1, cluster-exec ran more commands per second.',
      `cluster-exec and GNU parallel (--sshlogin ${opts['slots-b']}/nodeN): ${opts.echos} distinct echo commands, each `
        + 'placed on a node with a free slot.',
      `pdsh, clush, parallel-ssh run one command on a node set per invocation: ${rounds} invocations, each one distinct `
        + `echo on all ${opts['nodes-b']} nodes (fan-out ${opts['nodes-b']}), ${opts['slots-b']} invocations at once: the same `
        + `${opts.echos} remote commands, ${rounds} per node, ${opts['slots-b']} per node at once.`,
      outcome?.note || '',
    ]);
}
