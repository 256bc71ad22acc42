// How the workloads of bench/harness.mjs run their contenders: the rotating
// repetitions, the peers' contenders in each connection mode, and the peer
// runs they are made of, every one checked. A contender is { name, who
// ('ce' or 'peer'), kind ('cold': connections made on the way, or 'warm':
// connections open beforehand), run(tag, phase) -> sample | null }; `ctx`
// is the run's context as the harness builds it.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parallelListCommand, peerTools, readJoblog, runBroadcast } from './peers.mjs';
import { runTool } from './lib.mjs';
import { sshList } from './ssh_pool.mjs';
import { broadcastProblem, joblogProblems, sshRunProblems, summarize, tail } from './checks.mjs';

export const modeKind = { 'new ssh': 'cold', ControlMaster: 'warm' };
export const peerRow = (tool, mode) => `${tool} (${mode})`;

// Runs every contender `reps` times after `warmup` uncounted times, in an
// order that rotates every repetition so that machine noise hits all alike.
// Returns name -> samples (a failed run leaves its sample out).
export async function measure(contenders, reps, warmup) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let rep = -warmup; rep < reps; rep++) {
    const k = ((rep % contenders.length) + contenders.length) % contenders.length;
    for (const c of [...contenders.slice(k), ...contenders.slice(0, k)]) {
      const v = await c.run(`r${rep + warmup}`, rep < 0 ? 'warm-up' : 'measured');
      if (rep >= 0 && v !== null) samples[c.name].push(v);
    }
  }
  return samples;
}

// One contender per installed tool of `tools` and connection mode;
// `makeRun(tool, sshConfig, name)` gives its run(tag, phase).
export const peerContenders = (ctx, tools, makeRun) => tools.filter((tool) => ctx.installed[tool])
  .flatMap((tool) => ctx.modes.map((mode) => {
    const name = peerRow(tool, mode);
    return { name, who: 'peer', kind: modeKind[mode], run: makeRun(tool, ctx.sshCfg[mode], name) };
  }));

// A workload's table rows: its contenders with their samples (converted by
// `toValue`), then a "not installed" row for each peer of `tools` that is
// missing. `extra` rows (bounds) come first.
export function rows(ctx, contenders, samples, tools, { toValue = (x) => x, extra = [] } = {}) {
  const measured = contenders.map((c) => ({ name: c.name, who: c.who, kind: c.kind,
    samples: (samples?.[c.name] || []).map(toValue) }));
  const missing = tools.filter((t) => !ctx.installed[t]).map((t) => ({
    name: t, who: 'peer', missing: `not installed (apt: ${peerTools[t].pkg})` }));
  return [...extra, ...measured, ...missing];
}

// One broadcast run of `tool` over `nodes`: its wall time in ms, or null
// (recorded as a failure) unless every node printed exactly `expected`.
export async function broadcastRun(ctx, what, tool, cfg, nodes, fanout, command, expected) {
  const r = await runBroadcast(tool, cfg, nodes, fanout, command);
  const problem = broadcastProblem(tool, r, nodes, expected);
  return problem ? ctx.fail(what, problem) : r.ms;
}

// A command list through a list-scheduling peer (GNU parallel --sshlogin
// SLOTS/node, or plain ssh with SLOTS processes per node): its wall time in
// ms, or null. The multiset of stdout lines must be `expectOut`, each
// command's own output `outOf(command)`, each command no shorter than
// minRuntime(command) s.
export async function listRun(ctx, what, tool, cfg, nodes, slots, commands, { expectOut, outOf, minRuntime }) {
  if (tool === 'ssh') {
    const { ms: t, runs } = await sshList(cfg, nodes, slots, commands);
    const p = summarize(sshRunProblems(runs, nodes, commands, outOf, minRuntime));
    return p ? ctx.fail(what, p) : t;
  }
  const joblog = join(ctx.dir, 'parallel.joblog');
  rmSync(joblog, { force: true });
  const r = await runTool(parallelListCommand(cfg, nodes, slots, commands, joblog));
  if (r.error) return ctx.fail(what, `could not start: ${r.error}`);
  if (r.code !== 0) return ctx.fail(what, `exit ${r.code ?? r.signal}: ${tail(r.stderr)}`);
  const jobs = existsSync(joblog) ? readJoblog(joblog) : [];
  const p = summarize(joblogProblems(jobs, r.stdout, nodes, commands, expectOut, minRuntime));
  return p ? ctx.fail(what, p) : r.ms;
}
