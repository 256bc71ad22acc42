#!/usr/bin/env node
// Latency of one cluster_bash call through cluster-execution-mcp, against
// the cost of spawning `bash -c true` directly, measured in the same run.
//
// Usage (from the repository root):
//   (cd tests/e2e && npm ci)          # once: the MCP SDK is taken from there
//   node bench/mcp_latency.mjs [--n 200] [--warmup 20] [--server build/cluster-execution-mcp]
//
// What it does: starts the server over stdio with the official
// @modelcontextprotocol/sdk 1.x client (legacy 2025-11-25 handshake, as
// deployed hosts use it), lists the tools (so the SDK validates each result
// against the outputSchema, as a real client does), warms up, then times N
// sequential calls of cluster_bash {command: "true"}: the wall time from
// callTool() to its resolved result, in the client. The baseline is
// child_process.spawnSync('bash', ['-c', 'true']) from this node process.
// The two are interleaved call by call, so machine noise hits both alike.
// Prints median, p90, min and max in ms for each, the server-reported
// duration_ms, and the ratios MCP / spawn. This machine's fork/exec speed
// changes from day to day: compare ratios within one run, not absolute
// numbers across runs.
//
// The server inherits this environment (CLUSTER_* settings apply).

import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const e2eDir = join(root, 'tests', 'e2e');

function usage(msg) {
  if (msg) console.error(msg);
  console.error('usage: node bench/mcp_latency.mjs [--n 200] [--warmup 20] [--server PATH]');
  process.exit(2);
}

const opts = { n: 200, warmup: 20, server: join(root, 'build', 'cluster-execution-mcp') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [key, inline] = argv[i].split('=', 2);
  const value = () => (inline !== undefined ? inline : argv[++i]);
  if (key === '--n') opts.n = Number(value());
  else if (key === '--warmup') opts.warmup = Number(value());
  else if (key === '--server') opts.server = resolve(value());
  else if (key === '--help' || key === '-h') usage();
  else usage(`unknown argument ${argv[i]}`);
}
if (!Number.isInteger(opts.n) || opts.n < 1) usage('--n must be a positive integer');
if (!Number.isInteger(opts.warmup) || opts.warmup < 0) usage('--warmup must be a non-negative integer');
if (!existsSync(opts.server)) usage(`no server at ${opts.server}`);
if (!existsSync(join(e2eDir, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'))) {
  console.error(`The MCP SDK is not installed: run \`npm ci\` in ${e2eDir} first.`);
  process.exit(1);
}

// Resolve the SDK from tests/e2e/node_modules (CommonJS build, same API).
const require = createRequire(join(e2eDir, 'package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const sdkVersion = JSON.parse(readFileSync(
  join(e2eDir, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'), 'utf8')).version;

const ms = (t0, t1) => Number(t1 - t0) / 1e6;

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: rank(0.5), p90: rank(0.9), min: s[0], max: s.at(-1) };
}

function spawnTrue() {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', 'true']);
  const t1 = process.hrtime.bigint();
  if (r.status !== 0) throw new Error(`bash -c true failed: ${r.status} ${r.error || ''}`);
  return ms(t0, t1);
}

const transport = new StdioClientTransport({ command: opts.server, args: [], stderr: 'inherit', env: process.env });
const client = new Client({ name: 'mcp-latency-bench', version: '0.0.0' }, { capabilities: {} });

async function callTrue() {
  const t0 = process.hrtime.bigint();
  const res = await client.callTool({ name: 'cluster_bash', arguments: { command: 'true' } });
  const t1 = process.hrtime.bigint();
  const sc = res.structuredContent;
  if (res.isError || !sc || sc.return_code !== 0) {
    throw new Error(`cluster_bash true failed: ${JSON.stringify(res).slice(0, 500)}`);
  }
  return { wall: ms(t0, t1), server: sc.duration_ms };
}

try {
  await client.connect(transport);
  await client.listTools();
  for (let i = 0; i < opts.warmup; i++) { await callTrue(); spawnTrue(); }

  const mcp = [];
  const serverSide = [];
  const spawn = [];
  for (let i = 0; i < opts.n; i++) {
    const r = await callTrue();
    mcp.push(r.wall);
    serverSide.push(r.server);
    spawn.push(spawnTrue());
  }

  const a = stats(mcp);
  const d = stats(serverSide);
  const b = stats(spawn);
  const f = (x) => x.toFixed(2).padStart(9);
  const row = (name, s) => console.log(`${name.padEnd(38)}${f(s.median)}${f(s.p90)}${f(s.min)}${f(s.max)}`);
  console.log(`server ${opts.server}; sdk ${sdkVersion}; node ${process.version}; n=${opts.n}, warmup=${opts.warmup}`);
  console.log(`${'(ms)'.padEnd(38)}${'median'.padStart(9)}${'p90'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}`);
  row('MCP cluster_bash "true" (client wall)', a);
  row('  server-reported duration_ms', d);
  row('spawnSync bash -c true (baseline)', b);
  console.log(`ratio MCP / spawn: median ${(a.median / b.median).toFixed(2)}x, p90 ${(a.p90 / b.p90).toFixed(2)}x`);
  console.log(`MCP overhead over spawn: median ${(a.median - b.median).toFixed(2)} ms`);
} catch (e) {
  console.error(`benchmark failed: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await client.close().catch(() => {});
}
