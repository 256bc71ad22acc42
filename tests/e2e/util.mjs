// Shared helpers of the end-to-end tests: the check registry, temp dirs,
// process-liveness polling, and the shape check of a cluster_bash /
// offload_to result.

import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

// ---------------------------------------------------------------- checks

const results = [];

/** Runs one named check; never throws. Prints PASS/FAIL on stdout. */
export async function check(name, fn, { timeoutMs = 20_000 } = {}) {
  const started = Date.now();
  let timer;
  try {
    await Promise.race([
      Promise.resolve().then(fn),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`check timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    results.push({ name, ok: false, err });
    console.log(`FAIL ${name} (${Date.now() - started} ms)`);
    const text = err && err.stack ? err.stack : String(err);
    console.log(text.split('\n').slice(0, 12).map((l) => `    ${l}`).join('\n'));
  } finally {
    clearTimeout(timer);
  }
}

export function summary() {
  const failed = results.filter((r) => !r.ok);
  return { total: results.length, failed };
}

// ---------------------------------------------------------------- environment

/** The local node's id: the short host name (`hostname -s`). */
export const LOCAL_NODE = (() => {
  try {
    return execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim();
  } catch {
    return hostname().split('.')[0];
  }
})();

/** This machine's architecture as `uname -m` prints it. */
export const LOCAL_ARCH = execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim();

/** The environment for a server under test: ours without CLUSTER_*, plus `extra`. */
export function serverEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('CLUSTER_') && v !== undefined) env[k] = v;
  }
  // Every server gets a state directory of its own, so no test writes the
  // journal of the home it runs in.
  return { ...env, CLUSTER_PROGRESS_INTERVAL: '0.2', CLUSTER_STATE_DIR: makeTempDir('state'), ...extra };
}

// ---------------------------------------------------------------- temp dirs

const tempDirs = [];

/** A fresh temp dir that is removed at exit. */
export function makeTempDir(tag = 'e2e') {
  const dir = mkdtempSync(join(tmpdir(), `cluster-exec-${tag}-`));
  tempDirs.push(dir);
  return dir;
}

// PIDs that commands of ours reported; killed at exit if still alive.
const reportedPids = new Set();

export function cleanup() {
  for (const pid of reportedPids) {
    if (isAlive(pid) && cmdline(pid).includes('sleep')) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

// ---------------------------------------------------------------- waiting

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `pred` until it returns truthy; returns its value or throws `what`. */
export async function waitFor(pred, { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Waits for each file to hold a PID; returns the PIDs. */
export async function readPidFiles(paths, timeoutMs = 10_000) {
  const pids = [];
  for (const p of paths) {
    const pid = await waitFor(() => {
      if (!existsSync(p)) return 0;
      const n = Number.parseInt(readFileSync(p, 'utf8').trim(), 10);
      return Number.isInteger(n) && n > 0 ? n : 0;
    }, { timeoutMs, what: `pid file ${p}` });
    reportedPids.add(pid);
    pids.push(pid);
  }
  return pids;
}

function procState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) S ...: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null; // no such process
  }
}

function cmdline(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; }
}

/** True while `pid` is a running process (zombies and dead ones count as gone). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code === 'ESRCH') return false;
    if (e.code !== 'EPERM') throw e;
  }
  const s = procState(pid);
  return s !== null && s !== 'Z' && s !== 'X';
}

/** Polls until none of `pids` is alive; throws naming the survivors. */
export async function assertGone(pids, timeoutMs = 5_000, what = 'processes') {
  try {
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs, intervalMs: 50, what });
  } catch {
    const alive = pids.filter(isAlive).map((p) => `${p} [${procState(p)}] ${cmdline(p)}`);
    throw new Error(`${what} still alive ${timeoutMs} ms later: ${alive.join('; ')}`);
  }
}

/** A command that starts two background sleeps and records their PIDs and its shell's. */
export function sleeperCommand(dir, tag = '') {
  return `sleep 1000 & echo $! > ${dir}/a${tag}.pid; ` +
         `(sleep 1001 & echo $! > ${dir}/b${tag}.pid; wait) & ` +
         `echo $$ > ${dir}/sh${tag}.pid; wait`;
}

export function sleeperPidFiles(dir, tag = '') {
  return [`${dir}/a${tag}.pid`, `${dir}/b${tag}.pid`, `${dir}/sh${tag}.pid`];
}

// ---------------------------------------------------------------- assertions

export function fail(msg) { throw new Error(msg); }

export function expect(cond, msg) { if (!cond) throw new Error(msg); }

export function eq(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const ERROR_CLASSES = ['none', 'command', 'timeout', 'cancelled', 'spawn', 'connection', 'auth', 'host_key', 'placement', 'overloaded', 'invalid', 'policy'];

/** Checks every field of a cluster_bash / offload_to structured result. */
export function checkRunShape(sc, where = 'result') {
  expect(sc && typeof sc === 'object', `${where}: structuredContent missing`);
  const types = {
    success: 'boolean', executed_on: 'string', stdout: 'string', stderr: 'string',
    error: 'string', error_message: 'string', retriable: 'boolean',
    stdout_truncated: 'boolean', stderr_truncated: 'boolean', stdout_bytes: 'number',
    stderr_bytes: 'number', duration_ms: 'number', auto_routed: 'boolean',
    routing_reason: 'string', task_id: 'string',
  };
  for (const [k, t] of Object.entries(types)) {
    expect(typeof sc[k] === t, `${where}.${k}: expected ${t}, got ${JSON.stringify(sc[k])}`);
  }
  for (const k of ['return_code', 'signal']) {
    expect(k in sc && (sc[k] === null || Number.isInteger(sc[k])), `${where}.${k}: expected int|null, got ${JSON.stringify(sc[k])}`);
  }
  expect(Array.isArray(sc.retried_from) && sc.retried_from.every((n) => typeof n === 'string'),
    `${where}.retried_from: expected an array of node ids, got ${JSON.stringify(sc.retried_from)}`);
  expect(ERROR_CLASSES.includes(sc.error), `${where}.error: ${JSON.stringify(sc.error)} not in ${ERROR_CLASSES}`);
  for (const k of ['stdout_bytes', 'stderr_bytes', 'duration_ms']) {
    expect(Number.isInteger(sc[k]) && sc[k] >= 0, `${where}.${k}: not a non-negative integer: ${sc[k]}`);
  }
}

/** Checks the MCP envelope of a tool result (isError: null = either); returns its structuredContent. */
export function toolResult(res, { isError = false, where = 'result' } = {}) {
  expect(res && Array.isArray(res.content), `${where}: no content array: ${JSON.stringify(res)}`);
  const text = res.content.find((c) => c.type === 'text');
  expect(text && typeof text.text === 'string' && text.text.length > 0, `${where}: no text content block`);
  if (isError !== null) eq(Boolean(res.isError), isError, `${where}.isError (text: ${text.text.slice(0, 300)})`);
  return res.structuredContent;
}

export function textOf(res) {
  return (res.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

/** Number of failed checks so far (to tell whether a section failed). */
export function failureCount() {
  return results.filter((r) => !r.ok).length;
}

/** Prints the tail of a server's stderr when checks failed since `before`. */
export function dumpStderrIfFailed(before, text, label) {
  if (failureCount() > before && text) {
    const tail = text.length > 2000 ? `...${text.slice(-2000)}` : text;
    console.log(`  [${label} server stderr, last ${Math.min(text.length, 2000)} chars]`);
    console.log(tail.split('\n').map((l) => `    | ${l}`).join('\n'));
  }
}
