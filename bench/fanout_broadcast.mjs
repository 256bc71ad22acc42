// Scenario (c) of bench/parallel_fanout.mjs: `uname -a` on all --nodes-c
// nodes, the time until every node's result is in. cluster-exec:
// parallel_execute's broadcast form; pdsh and clush with a fan-out of at
// least 32 (and parallel-ssh and GNU parallel --nonall, which can do the
// same). A second cluster-exec row spawns a server for each call,
// connections and all: the counterpart of the peers' "new ssh" rows.

import { spawnSync } from 'node:child_process';
import { ms, now } from './lib.mjs';
import { countBy, itemProblems, summarize } from './fanout_checks.mjs';
import { broadcast, measure, parallelExecute, peerContenders, serverClient, withServer } from './fanout_harness.mjs';
import { ceName, ceRow, measuredRow, peerRows, table } from './fanout_report.mjs';

const coldName = 'cluster-exec, new server per call';

// Resolves to { samples: name -> [ms], note }.
export async function run(ctx) {
  const { opts, fail } = ctx;
  const count = opts['nodes-c'];
  const nodes = ctx.nodes.slice(0, count);
  const fanout = Math.max(32, count);
  const uname = spawnSync('uname', ['-a'], { encoding: 'utf8' }).stdout.trim();
  // The nodes are sshds on this machine: their uname is ours.
  const good = (line) => line === uname;
  return withServer(ctx, 'c', count, 2, async ({ client, file, inputs }) => {
    const args = { command: 'uname -a', broadcast: true, requires_capabilities: [ctx.capability], timeout: 60 };
    const check = (sc) => {
      const problems = itemProblems(sc, count, new Set(nodes), (i, r) => (
        good(r.stdout.trim()) ? null : `${r.executed_on} printed ${JSON.stringify(r.stdout).slice(0, 100)}`));
      const on = countBy(sc.results.map((r) => r.executed_on));
      const missing = nodes.filter((n) => on.get(n) !== 1);
      if (missing.length) problems.push(`not exactly once: ${missing.slice(0, 5).join(' ')}${missing.length > 5 ? ' ...' : ''}`);
      return summarize(problems);
    };
    const contenders = [];
    if (inputs.includes('broadcast')) {
      contenders.push({
        name: ceName,
        run: async (tag, phase) => parallelExecute(ctx, client, `(c) ${phase}`, args, check),
      });
      // The counterpart of the "new ssh" rows: a server spawned for the one
      // call, which connects to every node on the way.
      contenders.push({
        name: coldName,
        run: async (tag, phase) => {
          const t0 = now();
          const cold = serverClient(ctx, file);
          try {
            await cold.connect();
            const v = await parallelExecute(ctx, cold.client, `(c) ${phase} new server`, args, check);
            return v === null ? null : ms(t0, now());
          } catch (e) {
            return fail(`(c) ${phase} (cluster-exec new server)`, String(e));
          } finally {
            // close() waits for the exit: no shutdown overlaps the next contender.
            await cold.client.close().catch(() => {});
          }
        },
      });
    } else {
      fail('(c) cluster-exec', `parallel_execute in this build has no broadcast argument (inputs: ${inputs.join(', ')}); `
        + 'its row is missing');
    }
    contenders.push(...peerContenders(ctx, ['pdsh', 'clush', 'parallel-ssh', 'GNU parallel'],
      (tool, cfg, name) => async (tag, phase) => {
        const r = await broadcast(tool, cfg, nodes, fanout, 'uname -a', good);
        return r.problem ? fail(`(c) ${phase} (${name})`, r.problem) : r.ms;
      }));
    return { samples: await measure(ctx, contenders),
      note: `fan-out ${fanout} for every peer (pdsh -f, clush -f, parallel-ssh -p, GNU parallel -j)` };
  });
}

// `outcome` is what run() resolved to, undefined when it threw.
export function report(ctx, outcome) {
  const count = ctx.opts['nodes-c'];
  table(ctx, `(c) uname -a on ${count} nodes, until every result is in`, 'ms', [
    ceRow(outcome?.samples),
    measuredRow(outcome?.samples, coldName, { noRatio: true }),
    ...peerRows(ctx, outcome?.samples, ['pdsh', 'clush', 'parallel-ssh', 'GNU parallel']),
  ], [
    'cluster-exec ÷ row: below 1, cluster-exec had every result sooner.',
    `${coldName}: from spawning the server to every result, its ${count} connections made on the way; `
      + 'the counterpart of the "new ssh" rows.',
    `cluster-exec: parallel_execute {command, broadcast: true, requires_capabilities: ["${ctx.capability}"]}. `
      + `${outcome?.note || ''}; GNU parallel with --nonall.`,
  ]);
}
