#!/usr/bin/env node
// Remote commands through cluster-execution-mcp (offload_to over its own SSH
// connections) against OpenSSH with ControlMaster, the peer a user would
// otherwise script, on real sshd test nodes, measured in the same run.
//
// Usage (from the repository root; root, as the sshd fixture needs):
//   (cd tests/e2e && npm ci)          # once: the MCP SDK is taken from there
//   node bench/remote_latency.mjs [--nodes 4] [--n 100] [--batch 200] [--first 5]
//        [--warmup 10] [--rounds 3] [--ssh-parallel 8] [--server build/cluster-execution-mcp]
//
// It starts --nodes sshd nodes with tests/fixtures/sshd_nodes.sh in a fresh
// temporary directory (stopped at the end, also on error and on SIGINT or
// SIGTERM), and measures, with the official @modelcontextprotocol/sdk 1.x
// client against the server started with CLUSTER_CONFIG=DIR/nodes.json:
// - first command: a fresh server process, initialize, then the first
//   offload_to {command: "true", node_id: "node1"}; connect, handshake and
//   auth are in it. Peer: a fresh `ssh -o ControlMaster=no -o ControlPath=none
//   node1 true`. --first times each, interleaved, medians reported. A second
//   row times the server from its spawn, since a server that connects while it
//   starts would otherwise hide the connection cost.
// - warm latency: --n sequential offload_to `true` on node1 in one server,
//   against `ssh node1 true` through a ControlMaster, call by call in
//   alternating order so that machine noise hits both alike.
// - throughput: --batch `true`s round-robin over node1..nodeN, all offload_to
//   calls in flight at once (the server's slots and queue decide); peer: the
//   same commands through the masters with at most --ssh-parallel ssh
//   processes per node (8 by default: under sshd's default MaxSessions 10, as
//   a careful script would stay). --rounds alternating rounds, median.
// A fresh server must mean a fresh connection: should servers ever share a
// daemon's warm connections, the first-command rows need that daemon stopped.
// Every result is checked (success true and executed_on the node asked for;
// ssh exit status 0), and once per node that sshd's SSH_CONNECTION names the
// node's address; failures are printed and make the exit status 1.
// parallel_execute is not measured: the local node is always eligible too,
// so it cannot be made to run on the remote nodes only.
// Compare ratios within one run: this machine's speed changes day to day.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, loadSdk, ms, now, parseArgs, root, sshdWorkspace, stats } from './lib.mjs';

const { opts, usage } = parseArgs('node bench/remote_latency.mjs [--nodes 4] [--n 100] [--batch 200] '
  + '[--first 5] [--warmup 10] [--rounds 3] [--ssh-parallel 8] [--server PATH]',
  { nodes: 4, n: 100, batch: 200, first: 5, warmup: 10, rounds: 3, 'ssh-parallel': 8,
    server: join(root, 'build', 'cluster-execution-mcp') });
for (const k of ['nodes', 'n', 'batch', 'first', 'rounds', 'ssh-parallel']) {
  if (!Number.isInteger(opts[k]) || opts[k] < 1) usage(`--${k} must be a positive integer`);
}
if (!Number.isInteger(opts.warmup) || opts.warmup < 0) usage('--warmup must be a non-negative integer');
if (!existsSync(opts.server)) usage(`no server at ${opts.server}`);
if (!existsSync(fixture)) usage(`no sshd fixture at ${fixture}`);
const { Client, StdioClientTransport, sdkVersion } = loadSdk();

const ws = sshdWorkspace(opts.nodes);
const { dir, sshConfig, nodes, serverEnv, failures, fail, cleanup } = ws;

// Spawns one command with stdin from /dev/null; resolves to its wall time in
// ms, or null (recorded as a failure) unless it exited 0.
function run(what, cmd, args) {
  return new Promise((resolveRun) => {
    const t0 = now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolveRun(fail(what, String(e))));
    child.on('close', (code, signal) => {
      const t = ms(t0, now());
      resolveRun(code === 0 ? t : fail(what, `exit ${code ?? signal}: ${stderr.trim().slice(0, 300)}`));
    });
  });
}

const ssh = (...args) => ['-F', sshConfig, ...args];
const sshFresh = () => run('first command (ssh)', 'ssh', ssh('-o', 'ControlMaster=no', '-o', 'ControlPath=none', 'node1', 'true'));
// ControlMaster=no: a client must never quietly become a master itself.
const sshWarm = (what, node) => run(`${what} (ssh ${node})`, 'ssh', ssh('-o', 'ControlMaster=no', node, 'true'));

// A dead master would make the warm figures silently measure fresh connections.
function checkMasters(when) {
  for (const node of nodes) {
    const r = spawnSync('ssh', ssh('-O', 'check', node), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) fail(`ssh master ${node} ${when}`, (r.stderr || '').trim());
  }
}

async function startServer() {
  const t0 = now();
  const transport = new StdioClientTransport({ command: opts.server, args: [], stderr: 'inherit', env: serverEnv });
  const client = new Client({ name: 'remote-latency-bench', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, t0 };
}

// Resolves to { ms, end, server, stdout } or null (recorded as a failure).
async function offload(client, what, node, command = 'true') {
  const t0 = now();
  let res;
  try {
    res = await client.callTool({ name: 'offload_to', arguments: { command, node_id: node } });
  } catch (e) {
    return fail(`${what} (cluster-exec ${node})`, String(e));
  }
  const end = now();
  const sc = res.structuredContent;
  if (res.isError || sc?.success !== true || sc.executed_on !== node) {
    // No task_id or timings: identical failures must print as one line with a count.
    return fail(`${what} (cluster-exec ${node})`, sc ? `success=${sc.success} executed_on=${sc.executed_on} `
      + `error=${sc.error} return_code=${sc.return_code} ${sc.error_message} ${sc.stderr.slice(-200)}`.trim()
      : JSON.stringify(res).slice(0, 400));
  }
  return { ms: ms(t0, end), end, server: sc.duration_ms, stdout: sc.stdout };
}

// The --batch commands round-robin over the nodes, --ssh-parallel per node;
// false when any of them failed.
async function sshBatch() {
  let ok = true;
  const left = nodes.map((_, k) => Math.max(0, Math.floor((opts.batch - 1 - k) / nodes.length) + 1));
  const worker = async (k) => {
    while (left[k] > 0) { left[k]--; if (await sshWarm('throughput', nodes[k]) === null) ok = false; }
  };
  const workers = [];
  nodes.forEach((_, k) => {
    for (let j = 0; j < Math.min(opts['ssh-parallel'], left[k]); j++) workers.push(worker(k));
  });
  await Promise.all(workers);
  return ok;
}

const ce = { first: [], fromSpawn: [], warm: [], server: [], rate: [] };
const peer = { first: [], warm: [], rate: [] };
let client = null;
let slotsNote = 'cluster_status not read';
try {
  const start = spawnSync('bash', [fixture, 'start', dir, String(opts.nodes)], { stdio: ['ignore', 'ignore', 'inherit'] });
  ws.nodesStarted = true;
  if (start.status !== 0) throw new Error(`sshd_nodes.sh start ${dir} ${opts.nodes} exited ${start.status ?? start.signal}`);
  const configured = new Map(JSON.parse(readFileSync(serverEnv.CLUSTER_CONFIG, 'utf8')).nodes.map((c) => [c.id, c]));

  for (let i = 0; i < opts.first; i++) {
    const fresh = await startServer();
    const r = await offload(fresh.client, 'first command', 'node1');
    // close() waits for the server to exit, so no shutdown overlaps the next sample.
    await fresh.client.close();
    if (r) { ce.first.push(r.ms); ce.fromSpawn.push(ms(fresh.t0, r.end)); }
    const s = await sshFresh();
    if (s !== null) peer.first.push(s);
  }

  ws.mastersStarted = true;
  for (const node of nodes) {
    // -f leaves the master running with our stdio: a pipe would keep spawnSync waiting.
    const log = join(dir, `master-${node}.log`);
    const fd = openSync(log, 'w');
    const r = spawnSync('ssh', ssh('-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-fN', node), { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (r.status !== 0) throw new Error(`ssh master for ${node} failed: ${readFileSync(log, 'utf8').trim()}`);
  }
  checkMasters('after start');

  ({ client } = await startServer());
  await client.listTools(); // so that the SDK validates results against outputSchema, as real clients do
  for (let i = 0; i < opts.warmup; i++) { await offload(client, 'warm-up', 'node1'); await sshWarm('warm-up', 'node1'); }
  for (let i = 0; i < opts.n; i++) {
    const pair = [
      async () => { const r = await offload(client, 'warm', 'node1'); if (r) { ce.warm.push(r.ms); ce.server.push(r.server); } },
      async () => { const s = await sshWarm('warm', 'node1'); if (s !== null) peer.warm.push(s); },
    ];
    if (i % 2) pair.reverse();
    for (const f of pair) await f();
  }

  // Every node warm on both sides before the batches: connection set-up was measured above.
  // executed_on is the server's word; sshd's SSH_CONNECTION proves the command went there.
  for (const node of nodes) {
    const r = await offload(client, 'warm-up', node, 'printenv SSH_CONNECTION');
    if (r && r.stdout.trim().split(' ')[2] !== configured.get(node)?.host) {
      fail(`SSH_CONNECTION check (cluster-exec ${node})`, `expected server address ${configured.get(node)?.host}, got '${r.stdout.trim()}'`);
    }
    await sshWarm('warm-up', node);
  }
  for (let round = 0; round < opts.rounds; round++) {
    const sides = [
      async () => {
        const t0 = now();
        const rs = await Promise.all(Array.from({ length: opts.batch }, (_, i) => offload(client, 'throughput', nodes[i % nodes.length])));
        if (rs.every(Boolean)) ce.rate.push(opts.batch / (ms(t0, now()) / 1000));
      },
      async () => {
        const t0 = now();
        if (await sshBatch()) peer.rate.push(opts.batch / (ms(t0, now()) / 1000));
      },
    ];
    if (round % 2) sides.reverse();
    for (const f of sides) await f();
  }
  checkMasters('after the measurements');

  try {
    const st = (await client.callTool({ name: 'cluster_status', arguments: {} })).structuredContent;
    slotsNote = `local node ${st.local_node} ${st.nodes[st.local_node]?.slots} slots; `
      + nodes.map((n) => `${n} ${configured.get(n)?.slots} configured, `
        + `${st.nodes[n] ? `${st.nodes[n].slots} in cluster_status` : 'absent from cluster_status'}`).join('; ');
  } catch (e) {
    slotsNote = `cluster_status failed: ${e}`;
  }
} catch (e) {
  fail('benchmark', e && e.stack ? e.stack : String(e));
} finally {
  if (client) await client.close().catch(() => {});
  cleanup();
}

const med = (xs) => (xs.length ? stats(xs).median : NaN);
const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const rows = [];
const row = (metric, a, b, ratio) => rows.push([metric, f(a), f(b), Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a']);
const lat = (metric, a, b) => row(metric, a, b, a / b);
const cw = stats(ce.warm);
const pw = stats(peer.warm);
const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();

lat(`first command, median of ${opts.first} (ms)`, med(ce.first), med(peer.first));
lat('  cluster-exec from server spawn (ms)', med(ce.fromSpawn), med(peer.first));
for (const k of ['median', 'p90', 'min', 'max']) lat(`warm ${k}, n=${ce.warm.length}/${peer.warm.length} (ms)`, cw[k], pw[k]);
// A round with a failed command is left out: failing fast is not throughput.
row(`throughput, median of ${ce.rate.length}/${peer.rate.length} rounds (cmd/s; ratio ssh/ce)`, med(ce.rate), med(peer.rate), med(peer.rate) / med(ce.rate));
const width = rows.reduce((w, r) => Math.max(w, r[0].length), 6) + 2;
const line = (r) => console.log(`${r[0].padEnd(width)}${r[1].padStart(14)}${r[2].padStart(19)}${r[3].padStart(9)}`);

console.log(`${new Date().toISOString()}; nproc ${nproc}; node ${process.version}; sdk ${sdkVersion}; server ${opts.server}`);
console.log(`${opts.nodes} sshd nodes on loopback; warm n=${opts.n} (warm-up ${opts.warmup}); throughput batch ${opts.batch}, `
  + `ssh at most ${opts['ssh-parallel']} in flight per node; cluster-exec: ${slotsNote}`);
line(['metric', 'cluster-exec', 'ssh ControlMaster', 'ratio']);
rows.forEach(line);
console.log('ratio: cluster-exec / ssh for times, ssh / cluster-exec for throughput: below 1 favours cluster-exec.');
console.log(`ssh first command: fresh connection, no master. cluster-exec warm server-reported duration_ms median ${f(med(ce.server))}.`);
console.log(`first command samples (ms): cluster-exec ${ce.first.map(f).join(' ')}; from spawn ${ce.fromSpawn.map(f).join(' ')}; `
  + `ssh ${peer.first.map(f).join(' ')}`);
console.log(`throughput rounds (cmd/s): cluster-exec ${ce.rate.map(f).join(' ')}; ssh ${peer.rate.map(f).join(' ')}`);
if (failures.length) {
  console.log(`FAILURES: ${failures.length} (left out of every figure above; a round with one is not counted)`);
  const groups = new Map();
  for (const x of failures) groups.set(`${x.what}: ${x.detail}`, (groups.get(`${x.what}: ${x.detail}`) || 0) + 1);
  for (const [text, count] of groups) console.log(`  ${count > 1 ? `${count}x ` : ''}${text}`);
  process.exitCode = 1;
} else {
  console.log('failures: 0');
}
