// Client sessions through the official SDKs: @modelcontextprotocol/sdk 1.x
// (legacy era, initialize handshake) and @modelcontextprotocol/client 2.x
// pinned to 2026-07-28 (modern era). Both wrap the transport to record every
// message in and out, so tests can see what the SDK hides.

import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { serverEnv } from './util.mjs';
import { validateOutput } from './schemas.mjs';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';
const CALL_TIMEOUT_MS = 15_000;

function instrument(transport) {
  const inbound = [];
  const outbound = [];
  const onmessage = transport.onmessage;
  transport.onmessage = (m, extra) => { inbound.push(m); onmessage?.call(transport, m, extra); };
  const send = transport.send.bind(transport);
  transport.send = (m, opts) => { outbound.push(m); return send(m, opts); };
  return { inbound, outbound };
}

function session(era, client, transport, stderrRef, errors) {
  const { inbound, outbound } = instrument(transport);
  const s = {
    era, client, transport, inbound, outbound, errors,
    validators: null, // set by the tools/list check: name -> compiled outputSchema
    stderr: () => stderrRef.text,
    async call(name, args, opts = {}) {
      const o = { timeout: CALL_TIMEOUT_MS, ...opts };
      const res = era === 'legacy'
        ? await client.callTool({ name, arguments: args }, undefined, o)
        : await client.callTool({ name, arguments: args }, o);
      validateOutput(s.validators, name, res);
      return res;
    },
    /** The JSON-RPC id our SDK gave the latest tools/call whose command is `command`. */
    requestIdOf(command) {
      const m = outbound.filter((x) => x.method === 'tools/call' &&
        (x.params?.arguments?.command === command ||
         JSON.stringify(x.params?.arguments?.commands ?? null).includes(JSON.stringify(command)))).at(-1);
      return m ? m.id : undefined;
    },
    /** Responses (result or error) that arrived for `id`. */
    responsesTo(id) {
      return inbound.filter((m) => m.id === id && ('result' in m || 'error' in m));
    },
    async close() { await client.close(); },
  };
  return s;
}

/** A legacy-era session: sdk 1.x Client over StdioClientTransport. */
export async function openLegacy(bin, extraEnv = {}) {
  const stderrRef = { text: '' };
  const transport = new LegacyStdio({ command: bin, args: [], env: serverEnv(extraEnv), stderr: 'pipe' });
  transport.stderr.on('data', (c) => { stderrRef.text += c; });
  const client = new LegacyClient({ name: 'cluster-exec-e2e', version: '0.0.0' }, { capabilities: {} });
  const errors = [];
  client.onerror = (e) => errors.push(e);
  await client.connect(transport, { timeout: 15_000 });
  return session('legacy', client, transport, stderrRef, errors);
}

/** A modern-era session: client 2.x pinned to 2026-07-28 over its StdioClientTransport. */
export async function openModern(bin, extraEnv = {}) {
  const stderrRef = { text: '' };
  const transport = new ModernStdio({ command: bin, args: [], env: serverEnv(extraEnv), stderr: 'pipe' });
  transport.stderr.on('data', (c) => { stderrRef.text += c; });
  const client = new ModernClient({ name: 'cluster-exec-e2e', version: '0.0.0' }, {
    capabilities: {},
    versionNegotiation: { mode: { pin: MODERN_VERSION }, probe: { timeoutMs: 10_000 } },
  });
  const errors = [];
  client.onerror = (e) => errors.push(e);
  await client.connect(transport, { timeout: 15_000 });
  return session('modern', client, transport, stderrRef, errors);
}
