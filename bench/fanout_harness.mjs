// How the scenarios of bench/parallel_fanout.mjs run their contenders: the
// rotating repetitions, the cluster-exec server of a scenario and its
// parallel_execute calls, and the peers' rows. `ctx` is the run's context as
// the driver builds it: { opts, Client, StdioClientTransport, dir, nodes,
// serverEnv, fail, capability, installed, modes, sshCfg }.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, now } from './lib.mjs';
import { broadcastCommand, parallelListCommand, readJoblog, runTool } from './peers.mjs';
import { broadcastProblem, countBy, itemProblems, joblogProblems, summarize, tail } from './fanout_checks.mjs';
import { ceName, peerRow } from './fanout_report.mjs';

// Contenders: [{ name, run(tag, phase) -> ms | null }]. Returns name -> samples.
// The order rotates every repetition so that machine noise hits all alike.
export async function measure({ opts }, contenders) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let rep = -opts.warmup; rep < opts.reps; rep++) {
    const k = ((rep % contenders.length) + contenders.length) % contenders.length;
    const order = [...contenders.slice(k), ...contenders.slice(0, k)];
    for (const c of order) {
      const v = await c.run(`r${rep + opts.warmup}`, rep < 0 ? 'warm-up' : 'measured');
      if (rep >= 0 && v !== null) samples[c.name].push(v);
    }
  }
  return samples;
}

// One contender per installed tool of `tools` and connection mode, in that
// order; `makeRun(tool, sshConfig, name)` gives its run(tag, phase).
export const peerContenders = (ctx, tools, makeRun) => tools.filter((tool) => ctx.installed[tool])
  .flatMap((tool) => ctx.modes.map((mode) => {
    const name = peerRow(tool, mode);
    return { name, run: makeRun(tool, ctx.sshCfg[mode], name) };
  }));

// ---------- cluster-exec ----------

function writeNodeFile(ctx, name, count, slots) {
  const base = JSON.parse(readFileSync(join(ctx.dir, 'nodes.json'), 'utf8'));
  const file = join(ctx.dir, name);
  writeFileSync(file, JSON.stringify({ settings: base.settings,
    nodes: base.nodes.slice(0, count).map((n) => ({ ...n, slots })) }, null, 2));
  return file;
}

// A client of a server of its own on the node file `file`; connect() spawns
// the server. The client comes first so that a caller can close it in a
// `finally` even when connect fails half-way.
export function serverClient(ctx, file) {
  const transport = new ctx.StdioClientTransport({ command: ctx.opts.server, args: [], stderr: 'inherit',
    env: { ...ctx.serverEnv, CLUSTER_CONFIG: file } });
  const client = new ctx.Client({ name: 'parallel-fanout-bench', version: '0.0.0' }, { capabilities: {} });
  return { client, connect: () => client.connect(transport) };
}

// A server whose node file holds node1..node<count> with `slots` each; it
// resolves once cluster_status shows every node reachable with those slots.
async function startServer(ctx, label, count, slots) {
  const file = writeNodeFile(ctx, `nodes-${label}.json`, count, slots);
  const { client, connect } = serverClient(ctx, file);
  await connect();
  // Listing the tools makes the SDK validate results against outputSchema, as real clients do.
  const tool = (await client.listTools()).tools.find((t) => t.name === 'parallel_execute');
  if (!tool) throw new Error('the server offers no parallel_execute tool');
  const want = ctx.nodes.slice(0, count);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const st = (await client.callTool({ name: 'cluster_status', arguments: { refresh: true } })).structuredContent;
    const problems = want.flatMap((n) => {
      const s = st?.nodes?.[n];
      if (!s) return [`${n} absent`];
      if (s.reachable !== true) return [`${n} not reachable (${s.status}: ${s.error})`];
      if (s.slots !== slots) return [`${n} has ${s.slots} slots, not ${slots}`];
      return [];
    });
    if (!problems.length) break;
    if (Date.now() > deadline) throw new Error(`server for (${label}): ${problems.join('; ')}`);
    await new Promise((r) => { setTimeout(r, 250); });
  }
  return { client, file, inputs: Object.keys(tool.inputSchema?.properties || {}) };
}

// Runs `use({ client, file, inputs })` against a server started as above,
// for all of a scenario's contenders, the peers included: they run under
// the load of its health monitor too.
export async function withServer(ctx, label, count, slots, use) {
  const server = await startServer(ctx, label, count, slots);
  try {
    return await use(server);
  } finally {
    await server.client.close().catch(() => {});
  }
}

// One parallel_execute call; resolves to its wall time in ms, or null
// (recorded as a failure) when the call failed or `check` found a problem.
export async function parallelExecute(ctx, client, what, args, check) {
  const t0 = now();
  let res;
  try {
    res = await client.callTool({ name: 'parallel_execute', arguments: args }, undefined, { timeout: 600_000 });
  } catch (e) {
    return ctx.fail(`${what} (cluster-exec)`, String(e));
  }
  const t = ms(t0, now());
  const sc = res.structuredContent;
  if (res.isError || !Array.isArray(sc?.results)) {
    return ctx.fail(`${what} (cluster-exec)`, `isError=${res.isError} `
      + `${(res.content || []).map((c) => c.text).join(' ').slice(0, 300)}`);
  }
  const problem = check(sc);
  return problem ? ctx.fail(`${what} (cluster-exec)`, problem) : t;
}

// The cluster-exec contender of a command-list scenario (key 'a', 'b'):
// parallel_execute's list form over job(tag).commands, item i checked by
// job(tag).expect(i, r). note(unit) tells how the last good repetition
// spread over `nodes`, which shows whether the placement used them all.
export function listContender(ctx, client, key, nodes, job) {
  const nodeSet = new Set(nodes);
  const perNode = new Map();
  const contender = {
    name: ceName,
    run: async (tag, phase) => {
      const { commands, expect } = job(tag);
      return parallelExecute(ctx, client, `(${key}) ${phase}`, {
        commands, requires_capabilities: [ctx.capability], timeout: 120,
      }, (sc) => {
        const problems = itemProblems(sc, commands.length, nodeSet, expect);
        if (!problems.length) for (const [n, c] of countBy(sc.results.map((r) => r.executed_on))) perNode.set(n, c);
        return summarize(problems);
      });
    },
  };
  const note = (unit) => `cluster-exec ${unit} per node (last good repetition): `
    + `${nodes.map((n) => `${n} ${perNode.get(n) || 0}`).join(', ')}`;
  return { contender, note };
}

// ---------- peers ----------

// One run of a broadcast tool: { ms, problem }, problem null when every node
// of `nodes` printed exactly one line that `good` accepts.
export async function broadcast(tool, cfg, nodes, fanout, command, good) {
  const r = await runTool(broadcastCommand(tool, cfg, nodes, fanout, command));
  return { ms: r.ms, problem: broadcastProblem(tool, r, nodes, good) };
}

// GNU parallel over a command list; resolves to its wall time in ms or null.
// `expectOut` and `minRuntime` as joblogProblems takes them.
export async function parallelList(ctx, what, cfg, nodes, slots, commands, expectOut, minRuntime) {
  const joblog = join(ctx.dir, 'parallel.joblog');
  rmSync(joblog, { force: true });
  const r = await runTool(parallelListCommand(cfg, nodes, slots, commands, joblog));
  if (r.error) return ctx.fail(what, `could not start: ${r.error}`);
  if (r.code !== 0) return ctx.fail(what, `exit ${r.code ?? r.signal}: ${tail(r.stderr)}`);
  const jobs = existsSync(joblog) ? readJoblog(joblog) : [];
  const p = summarize(joblogProblems(jobs, r.stdout, nodes, commands, expectOut, minRuntime));
  return p ? ctx.fail(what, p) : r.ms;
}
