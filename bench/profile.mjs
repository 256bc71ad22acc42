#!/usr/bin/env node
// Where cluster-execution-mcp spends its time on W3 of bench/harness.mjs
// (--echos distinct echo commands over --nodes sshd test nodes, --par at
// once, through parallel_execute on a warm server): the same calls timed
// plainly, then under valgrind's callgrind, then under perf where it
// works, each on a server of its own.
//
// Usage (from the repository root; root, as the sshd fixture needs):
//   node bench/profile.mjs [--reps 3] [--echos 200] [--nodes 4] [--par 16]
//        [--callgrind 1] [--perf 1] [--top 25] [--out DIR] [--server build/cluster-execution-mcp]
//
// Only the measured calls are profiled: callgrind starts with instrumentation
// off and callgrind_control turns it on for them and dumps at the end; perf
// attaches to the running server for them. The server's start, its
// connections and the warm-up call are outside both. Prints the plain wall
// times and the server's CPU and peak memory, then for each profiler the
// functions with the most inclusive and self cost, all of them and those
// from this repository's sources (actors/, transport/, config/, messages/,
// apps/). The raw profiles stay in --out (a new temporary directory by
// default) for callgrind_annotate, kcachegrind or perf report.
// Debian: apt-get install valgrind linux-perf. Needs a build with symbols
// (RelWithDebInfo) for function names.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, loadSdk, parseArgs, printFailures, root, sshdWorkspace, stats } from './lib.mjs';
import { mcpWarm, withServer } from './cluster_exec.mjs';
import { echoJob } from './w3_rate.mjs';
import { which } from './peers.mjs';

const { opts, usage } = parseArgs('node bench/profile.mjs [--reps 3] [--echos 200] [--nodes 4] [--par 16] '
  + '[--callgrind 1] [--perf 1] [--top 25] [--out DIR] [--server PATH]',
  { reps: 3, echos: 200, nodes: 4, par: 16, callgrind: 1, perf: 1, top: 25, out: null,
    server: join(root, 'build', 'cluster-execution-mcp') });
for (const k of ['reps', 'echos', 'nodes', 'par', 'top']) {
  if (!Number.isInteger(opts[k]) || opts[k] < 1) usage(`--${k} must be a positive integer`);
}
if (opts.par % opts.nodes) usage('--par must be a multiple of --nodes');
if (!existsSync(opts.server)) usage(`no server at ${opts.server}`);
if (!existsSync(fixture)) usage(`no sshd fixture at ${fixture}`);
const out = opts.out ?? mkdtempSync(join(tmpdir(), 'cluster-exec-profile-'));
mkdirSync(out, { recursive: true });
const { Client, StdioClientTransport } = loadSdk();

const ws = sshdWorkspace(opts.nodes);
// A server under valgrind runs many times slower: its handshakes and probes get the time they need.
const ctx = {
  opts, Client, StdioClientTransport, dir: ws.dir, nodes: ws.nodes, fail: ws.fail, capability: 'sshd-test',
  startTimeoutMs: 300_000,
  serverEnv: { ...ws.serverEnv, CLUSTER_SSH_CONFIG: 'none', CLUSTER_SSH_TIMEOUT: '60', CLUSTER_SSH_CONNECT_TIMEOUT: '30',
    CLUSTER_STATUS_TIMEOUT: '120' },
};
// Source paths as the debug info has them: relative to the build or absolute.
const ours = /(^|[\s/])(actors|transport|config|messages|apps)\/\S*:/;

// One server (wrapped in `wrap`) on W3's nodes: a warm-up call, then the
// measured calls between profiler.start(pid) and profiler.stop().
async function session(label, wrap, profiler = { start() {}, stop() {} }) {
  ctx.serverWrap = wrap;
  const nodes = ws.nodes;
  return withServer(ctx, `profile-${label}`, opts.nodes, opts.par / opts.nodes, async (server) => {
    const warm = mcpWarm(ctx, server, label, (tag) => echoJob(ctx, label, nodes, opts.echos, opts.par, tag));
    await warm.run('warm-up', 'warm-up');
    await profiler.start(server.pid);
    const times = [];
    for (let i = 0; i < opts.reps; i++) times.push(await warm.run(`r${i}`, 'measured'));
    await profiler.stop(server.pid);
    return { times: times.filter((t) => t !== null), usage: warm.usage() };
  });
}

const describe = (label, { times, usage: u }) => {
  const s = times.length ? stats(times) : null;
  console.log(`${label}: ${opts.echos} echos x ${times.length}/${opts.reps} calls, wall ms median `
    + `${s ? s.median.toFixed(0) : 'n/a'} (${times.map((t) => t.toFixed(0)).join(' ')}); `
    + `${s ? (opts.echos / (s.median / 1000)).toFixed(1) : 'n/a'} cmd/s`);
  if (u) {
    console.log(`  server CPU in calls ${u.callCpuS.toFixed(2)} s, system ${u.callSysS.toFixed(2)} s `
      + `(${(u.callCpuS / u.calls / opts.echos * 1000).toFixed(2)} `
      + `ms/command), peak RSS ${u.peakMiB.toFixed(1)} MiB (${u.rssStartMiB.toFixed(1)} at start)`);
  }
};

const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

// callgrind_annotate's function lines, `Ir (pct) file:function`, top N, all and ours.
function annotate(file, inclusive) {
  const r = sh('callgrind_annotate', [`--inclusive=${inclusive ? 'yes' : 'no'}`, '--threshold=100', file]);
  // The function summary only: the annotated source after it lists calls (`=>`), not functions.
  const summary = r.stdout.split(/^-- Auto-annotated source/m)[0];
  const lines = summary.split('\n').filter((l) => /^\s*[\d,]+ \(\s*[\d.]+%\)\s+[^=\s]/.test(l));
  const clip = (l) => (l.length > 220 ? `${l.slice(0, 217)}...` : l);
  console.log(`\n  callgrind, ${inclusive ? 'inclusive' : 'self'} cost, top ${opts.top}:`);
  for (const l of lines.slice(0, opts.top)) console.log(`    ${clip(l)}`);
  console.log(`  callgrind, ${inclusive ? 'inclusive' : 'self'} cost, this repository's functions, top ${opts.top}:`);
  for (const l of lines.filter((x) => ours.test(x)).slice(0, opts.top)) console.log(`    ${clip(l)}`);
}

function perfReport(data, children) {
  const r = sh('perf', ['report', '-i', data, '--stdio', '-g', 'none', '--percent-limit', '0.3',
    children ? '--children' : '--no-children', '--sort', 'dso,sym']);
  const lines = r.stdout.split('\n').filter((l) => /^\s+[\d.]+%/.test(l));
  console.log(`\n  perf, ${children ? 'inclusive (children)' : 'self'}, top ${opts.top}:`);
  for (const l of lines.slice(0, opts.top)) console.log(`    ${l.trim()}`);
  console.log(`  perf, ${children ? 'inclusive (children)' : 'self'}, in cluster-execution-mcp itself, top ${opts.top}:`);
  for (const l of lines.filter((x) => x.includes('cluster-execution-mcp')).slice(0, opts.top)) console.log(`    ${l.trim()}`);
}

try {
  ws.start(0);
  describe('plain', await session('plain', []));
  if (opts.callgrind && which('valgrind')) {
    const prefix = join(out, 'callgrind.out');
    const r = await session('callgrind', ['valgrind', '--tool=callgrind', '--instr-atstart=no',
      `--callgrind-out-file=${prefix}.%p`], {
      start: (pid) => { sh('callgrind_control', ['--instr=on', String(pid)]); },
      // A dump now: the server is stopped by the client's close, and may not get to write one at exit.
      stop: (pid) => { sh('callgrind_control', ['--dump=W3', String(pid)]); sh('callgrind_control', ['--instr=off', String(pid)]); },
    });
    describe('callgrind (slowed down many times: its times are not figures)', r);
    const dumps = readdirSync(out).filter((f) => f.startsWith('callgrind.out.') && /\.\d+$/.test(f)).sort();
    if (dumps.length) {
      console.log(`  profile: ${join(out, dumps.at(-1))}`);
      annotate(join(out, dumps.at(-1)), true);
      annotate(join(out, dumps.at(-1)), false);
    } else {
      ws.fail('callgrind', `no dump in ${out}`);
    }
  } else if (opts.callgrind) {
    console.log('callgrind: valgrind is not installed (apt-get install valgrind)');
  }
  if (opts.perf && which('perf') && sh('perf', ['stat', '-e', 'task-clock', 'true']).status === 0) {
    const data = join(out, 'perf.data');
    let rec = null;
    const r = await session('perf', [], {
      start: async (pid) => {
        rec = spawn('perf', ['record', '-F', '999', '--call-graph', 'dwarf,16384', '-p', String(pid), '-o', data],
          { stdio: ['ignore', 'ignore', 'inherit'] });
        await new Promise((res) => { setTimeout(res, 500); });
      },
      stop: () => new Promise((res) => { rec.on('close', res); rec.kill('SIGINT'); }),
    });
    describe('perf', r);
    perfReport(data, false);
    perfReport(data, true);
  } else if (opts.perf) {
    console.log('perf: not available here (Debian: linux-perf; perf_event_paranoid may forbid it)');
  }
  console.log(`\nraw profiles: ${out}`);
} catch (e) {
  ws.fail('profile', e && e.stack ? e.stack : String(e));
} finally {
  ws.cleanup();
}
printFailures(ws.failures, 'see above');
