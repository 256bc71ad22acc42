// cluster-exec's contenders in bench/harness.mjs: the MCP server driven by
// the official SDK client, warm (a server started before the workload, its
// connections open) and cold (a server spawned for the one call, which
// connects on the way), and the one-shot CLI, which is cold by nature. Each
// server and CLI process gets a CLUSTER_STATE_DIR of its own, so that no
// run's journal is another's. `ctx` is the run's context as the harness
// builds it: { opts, Client, StdioClientTransport, dir, serverEnv, fail,
// capability, serverWrap }.
//
// A workload describes one call as a job: { tool, args, cli, check } (the
// MCP tool and its arguments, the same request as `cluster-router`
// arguments, and check(result) -> problem or null, applied to the tool's
// structuredContent and to the CLI's --json output alike).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, now, procUsage, resetPeak, runTool } from './lib.mjs';
import { tail } from './checks.mjs';

export const ceNames = {
  warm: 'cluster-exec MCP, warm server',
  cold: 'cluster-exec MCP, new server',
  cli: 'cluster-exec CLI',
};

// A node file of node1..node<count> from the fixture's, with `slots` each.
export function writeNodeFile(ctx, name, count, slots) {
  const base = JSON.parse(readFileSync(join(ctx.dir, 'nodes.json'), 'utf8'));
  const file = join(ctx.dir, name);
  writeFileSync(file, JSON.stringify({ settings: base.settings,
    nodes: base.nodes.slice(0, count).map((n) => ({ ...n, slots })) }, null, 2));
  return file;
}

// A command list for `cluster-router parallel --file`, one per line. Not
// `--file -` with the list on stdin: the CLI opens /dev/stdin, which fails
// (ENXIO) when stdin is a socket, as Node's child_process makes it.
export function commandFile(ctx, name, commands) {
  const file = join(ctx.dir, name);
  writeFileSync(file, `${commands.join('\n')}\n`);
  return file;
}

// The environment of one server or CLI process on node file `file`.
const processEnv = (ctx, file) => ({ ...ctx.serverEnv, CLUSTER_CONFIG: file,
  CLUSTER_STATE_DIR: mkdtempSync(join(ctx.dir, 'state-')) });

// A client of a server of its own on node file `file`; connect() spawns the
// server (under ctx.serverWrap, a profiler's command line, when set). The
// client comes first so that a caller can close it in a `finally` even when
// connect fails half-way.
export function serverClient(ctx, file) {
  const wrap = ctx.serverWrap || [];
  const transport = new ctx.StdioClientTransport({ command: wrap[0] || ctx.opts.server,
    args: [...wrap.slice(1), ...(wrap.length ? [ctx.opts.server] : [])], stderr: 'inherit', env: processEnv(ctx, file) });
  const client = new ctx.Client({ name: 'cluster-exec-bench', version: '0.0.0' }, { capabilities: {} });
  return { client, transport, connect: () => client.connect(transport) };
}

// Starts a server on node1..node<count> with `slots` each and resolves once
// cluster_status shows every node reachable with those slots:
// { client, file, pid, inputs } (inputs: parallel_execute's argument names).
async function startServer(ctx, label, count, slots) {
  const file = writeNodeFile(ctx, `nodes-${label}.json`, count, slots);
  const { client, transport, connect } = serverClient(ctx, file);
  await connect();
  // Listing the tools makes the SDK validate results against outputSchema, as real clients do.
  const tool = (await client.listTools()).tools.find((t) => t.name === 'parallel_execute');
  const want = Array.from({ length: count }, (_, i) => `node${i + 1}`);
  const deadline = Date.now() + (ctx.startTimeoutMs || 30_000);
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
    if (Date.now() > deadline) throw new Error(`server for ${label}: ${problems.join('; ')}`);
    await new Promise((r) => { setTimeout(r, 250); });
  }
  return { client, file, pid: transport.pid, inputs: Object.keys(tool?.inputSchema?.properties || {}) };
}

// Runs `use(server)` against a server started as above, for all of a
// workload's contenders, the peers included: they run under the load of
// its health monitor too.
export async function withServer(ctx, label, count, slots, use) {
  const server = await startServer(ctx, label, count, slots);
  try {
    return await use(server);
  } finally {
    await server.client.close().catch(() => {});
  }
}

// One MCP tool call of `job`; resolves to its wall time in ms, or null
// (recorded as a failure) when the call failed or the check found a problem.
async function callJob(ctx, client, what, job) {
  const t0 = now();
  let res;
  try {
    res = await client.callTool({ name: job.tool, arguments: job.args }, undefined, { timeout: 600_000 });
  } catch (e) {
    return ctx.fail(what, String(e));
  }
  const t = ms(t0, now());
  if (res.isError || !res.structuredContent) {
    return ctx.fail(what, `isError=${res.isError} ${(res.content || []).map((c) => c.text).join(' ').slice(0, 300)}`);
  }
  const problem = job.check(res.structuredContent);
  return problem ? ctx.fail(what, problem) : t;
}

// What a server costs while it works (item M): CPU time and peak resident
// memory over the measured calls of one warm contender, from /proc.
function usageMeter(pid) {
  const m = { calls: 0, callCpuS: 0, callSysS: 0 };
  return {
    async time(fn) {
      if (!m.start) { m.peakReset = resetPeak(pid); m.start = procUsage(pid); m.t0 = now(); }
      const a = procUsage(pid);
      const v = await fn();
      const b = procUsage(pid);
      if (v !== null && a && b) { m.calls++; m.callCpuS += b.cpuS - a.cpuS; m.callSysS += b.sysS - a.sysS; }
      return v;
    },
    // { rssStartMiB, peakMiB, peakSince, callCpuS, callSysS, calls, totalCpuS, wallS } or null before any call.
    read() {
      const e = procUsage(pid);
      if (!m.start || !e) return null;
      return { rssStartMiB: m.start.rssKiB / 1024, peakMiB: e.hwmKiB / 1024,
        peakSince: m.peakReset ? 'first measured call' : 'server start', callCpuS: m.callCpuS, callSysS: m.callSysS,
        calls: m.calls,
        totalCpuS: e.cpuS - m.start.cpuS, wallS: ms(m.t0, now()) / 1000 };
    },
  };
}

// The warm contender: `job(tag)` on the server of withServer. Its `usage`
// reads the server's CPU and memory over the measured calls.
export function mcpWarm(ctx, server, key, job) {
  const meter = usageMeter(server.pid);
  return {
    name: ceNames.warm, who: 'ce', kind: 'warm', usage: () => meter.read(),
    run: (tag, phase) => {
      const call = () => callJob(ctx, server.client, `${key} ${phase} (${ceNames.warm})`, job(tag));
      return phase === 'measured' ? meter.time(call) : call();
    },
  };
}

// The cold contender: a server spawned for the one call, on node file
// `file`, timed from the spawn to the result.
export function mcpCold(ctx, file, key, job) {
  return {
    name: ceNames.cold, who: 'ce', kind: 'cold',
    run: async (tag, phase) => {
      const what = `${key} ${phase} (${ceNames.cold})`;
      const t0 = now();
      const cold = serverClient(ctx, file);
      try {
        await cold.connect();
        const v = await callJob(ctx, cold.client, what, job(tag));
        return v === null ? null : ms(t0, now());
      } catch (e) {
        return ctx.fail(what, String(e));
      } finally {
        // close() waits for the exit: no shutdown overlaps the next contender.
        await cold.client.close().catch(() => {});
      }
    },
  };
}

// One `cluster-router ... --json` process of `job`: resolves to its wall
// time in ms (spawn to exit), or null (recorded as a failure).
export async function runCli(ctx, file, what, job) {
  const r = await runTool({ file: ctx.opts.router, args: [job.cli[0], '--json', ...job.cli.slice(1)],
    env: processEnv(ctx, file) });
  if (r.error) return ctx.fail(what, `could not start: ${r.error}`);
  // Its first line says why; a usage error follows it with the whole usage text.
  if (r.code !== 0) return ctx.fail(what, `exit ${r.code ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    return ctx.fail(what, `not JSON: ${tail(r.stdout)}`);
  }
  const problem = job.check(out);
  return problem ? ctx.fail(what, problem) : r.ms;
}

export const cliContender = (ctx, file, key, job) => ({
  name: ceNames.cli, who: 'ce', kind: 'cold',
  run: (tag, phase) => runCli(ctx, file, `${key} ${phase} (${ceNames.cli})`, job(tag)),
});
