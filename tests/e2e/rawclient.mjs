// A raw JSON-RPC line client: spawns the server, writes lines to its stdin,
// reads its stdout byte-exactly (a line that is not valid UTF-8 or not a
// JSON-RPC 2.0 message is recorded as bad, never repaired).

import { spawn } from 'node:child_process';
import { expect, eq, sleep, serverEnv } from './util.mjs';

/**
 * A server spawned by us, spoken to line by line. Every stdout line is kept
 * and checked to be a JSON-RPC 2.0 message; `badLines` lists those that are not.
 */
export class RawServer {
  constructor(bin, { env = serverEnv(), args = [] } = {}) {
    this.proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.messages = [];   // parsed stdout messages, in arrival order
    this.badLines = [];
    this.consumed = new Set();
    this.stderr = '';
    this.waiters = [];
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.exitInfo = null;
    this.exited.then((x) => { this.exitInfo = x; this._wake(); });
    this.proc.on('error', (e) => { this.spawnError = e; this._wake(); });
    this.proc.stdin.on('error', () => {});
    // Bytes, not text: a line that is not valid UTF-8 must be caught, not
    // silently repaired by a lenient decoder.
    let buf = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let nl;
      while ((nl = buf.indexOf(0x0a)) >= 0) {
        this._bytes(buf.subarray(0, nl));
        buf = buf.subarray(nl + 1);
      }
    });
    this.proc.stdout.on('end', () => { if (buf.length) this._bytes(buf); buf = Buffer.alloc(0); });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (c) => { this.stderr += c; });
  }

  _bytes(bytes) {
    let line;
    try {
      line = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      this.badLines.push(`<invalid UTF-8> ${bytes.toString('latin1').slice(0, 200)}`);
      this._wake();
      return;
    }
    this._line(line);
  }

  _line(line) {
    let msg;
    try { msg = JSON.parse(line); } catch { this.badLines.push(line); this._wake(); return; }
    const ok = msg && typeof msg === 'object' && !Array.isArray(msg) && msg.jsonrpc === '2.0' &&
      ('method' in msg || ('id' in msg && ('result' in msg || 'error' in msg)));
    if (!ok) this.badLines.push(line);
    this.messages.push(msg);
    this._wake();
  }

  _wake() { for (const w of this.waiters.splice(0)) w(); }

  send(msg) { this.proc.stdin.write((typeof msg === 'string' ? msg : JSON.stringify(msg)) + '\n'); }

  /** The first not yet consumed message matching `pred`, waiting for it. */
  async next(pred, timeoutMs = 10_000, what = 'message') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.messages.length; i++) {
        if (!this.consumed.has(i) && pred(this.messages[i])) {
          this.consumed.add(i);
          return this.messages[i];
        }
      }
      if (this.exitInfo) throw new Error(`server exited (${JSON.stringify(this.exitInfo)}) while waiting for ${what}; stderr: ${this.stderr.slice(-500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last stdout: ${JSON.stringify(this.messages.slice(-3))}`);
      await new Promise((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }

  response(id, timeoutMs = 10_000) {
    return this.next((m) => m.id === id && ('result' in m || 'error' in m), timeoutMs, `response to id ${JSON.stringify(id)}`);
  }

  async request(id, method, params, timeoutMs = 10_000) {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return this.response(id, timeoutMs);
  }

  async initializeLegacy() {
    const r = await this.request('init', 'initialize', {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e-raw', version: '0.0.0' },
    });
    expect(r.result, `initialize failed: ${JSON.stringify(r)}`);
    eq(r.result.protocolVersion, '2025-11-25', 'initialize result.protocolVersion');
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return r.result;
  }

  /** Closes stdin and waits for exit; kills the server if it does not exit. */
  async close(timeoutMs = 10_000) {
    this.proc.stdin.end();
    const t = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    if (!t) { this.kill(); await this.exited; }
    return t;
  }

  kill() {
    if (!this.exitInfo) { try { this.proc.kill('SIGKILL'); } catch { /* gone */ } }
  }
}

/** Fails if a raw session saw stdout lines that are not JSON-RPC messages. */
export function assertOnlyJson(server, what = 'stdout') {
  expect(server.messages.length > 0, `${what}: the server wrote no messages at all`);
  expect(server.badLines.length === 0, `${what} has non-JSON-RPC lines: ${JSON.stringify(server.badLines.slice(0, 3))}`);
}

/** `_meta` of a modern-era request. */
export function modernMeta(version = '2026-07-28') {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientInfo': { name: 'e2e-raw', version: '0.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

