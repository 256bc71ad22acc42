// The tool list as the contract describes it, checked independently of the
// SDKs: every inputSchema/outputSchema must be a valid JSON Schema object,
// and every structuredContent we receive is validated against its tool's
// outputSchema here too (on top of the SDK's own validation).

import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { expect, eq, LOCAL_NODE, checkRunShape } from './util.mjs';

const TOOL_NAMES = ['cluster_bash', 'offload_to', 'parallel_execute', 'cluster_status',
  'task_status', 'task_output', 'task_cancel', 'task_list'];

// Tools that change nothing.
const READ_ONLY = ['cluster_status', 'task_status', 'task_output', 'task_list'];

const REQUIRED = {
  cluster_bash: ['command'],
  offload_to: ['command', 'node_id'],
  // Two forms: `commands` (a list) or `command` with nodes/broadcast; the
  // server refuses neither-nor with a message naming both.
  parallel_execute: [],
  cluster_status: [],
  task_status: ['task_id'],
  task_output: ['task_id'],
  task_cancel: ['task_id'],
  task_list: [],
};

const PROPERTIES = {
  cluster_bash: ['command', 'requires_os', 'requires_arch', 'requires_capabilities', 'auto_route', 'explain', 'timeout', 'cwd', 'max_output_bytes', 'background', 'wait_seconds'],
  offload_to: ['command', 'node_id', 'explain', 'timeout', 'cwd', 'max_output_bytes', 'background', 'wait_seconds'],
  parallel_execute: ['commands', 'command', 'nodes', 'broadcast', 'merge_output', 'max_parallel', 'fail_fast', 'timeout', 'cwd', 'requires_os', 'requires_arch', 'requires_capabilities', 'max_output_bytes'],
  cluster_status: ['refresh'],
  task_status: ['task_id', 'wait_seconds'],
  task_output: ['task_id', 'stream', 'offset', 'limit', 'tail'],
  task_cancel: ['task_id'],
  task_list: ['limit', 'state'],
};

/** What cluster_status says of a node. */
export const NODE_STATUSES = ['healthy', 'busy', 'unreachable', 'unknown'];

function ajvFor(schema) {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const opts = { strict: false, allErrors: true, validateSchema: true };
  return /draft-0[67]/.test(dialect) ? new Ajv(opts) : new Ajv2020(opts);
}

/**
 * Throws unless `schema` is a valid JSON Schema of type object with a
 * properties object. The one exception is the MCP spec's recommended form
 * for a tool without parameters, `{type: "object", additionalProperties:
 * false}` (server/tools, inputSchema), accepted where `noParams` is set.
 */
export function compileSchema(schema, where, { noParams = false } = {}) {
  expect(schema && typeof schema === 'object' && !Array.isArray(schema), `${where}: not an object`);
  eq(schema.type, 'object', `${where}.type`);
  const emptyForm = noParams && schema.properties === undefined && schema.additionalProperties === false;
  expect(emptyForm || (schema.properties && typeof schema.properties === 'object' && !Array.isArray(schema.properties)),
    `${where}.properties: missing or not an object`);
  const ajv = ajvFor(schema);
  if (!ajv.validateSchema(schema)) {
    throw new Error(`${where}: not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}`);
  }
  try {
    return ajv.compile(schema);
  } catch (e) {
    throw new Error(`${where}: does not compile: ${e.message}`);
  }
}

/**
 * Checks the listed tools against the contract; returns a map
 * name -> validate(structuredContent) built from each outputSchema.
 */
export function checkToolList(tools) {
  expect(Array.isArray(tools), 'tools is not an array');
  const names = tools.map((t) => t.name).sort();
  eq(JSON.stringify(names), JSON.stringify([...TOOL_NAMES].sort()), 'tool names');
  const validators = {};
  for (const t of tools) {
    expect(typeof t.description === 'string' && t.description.length > 0, `${t.name}: no description`);
    compileSchema(t.inputSchema, `${t.name}.inputSchema`, { noParams: PROPERTIES[t.name].length === 0 });
    for (const p of PROPERTIES[t.name]) {
      expect(p in (t.inputSchema.properties ?? {}), `${t.name}.inputSchema.properties lacks ${p}`);
    }
    const req = t.inputSchema.required || [];
    for (const r of REQUIRED[t.name]) expect(req.includes(r), `${t.name}.inputSchema.required lacks ${r}`);
    validators[t.name] = compileSchema(t.outputSchema, `${t.name}.outputSchema`);
    expect(t.annotations && typeof t.annotations === 'object', `${t.name}: no annotations`);
    eq(t.annotations.readOnlyHint, READ_ONLY.includes(t.name), `${t.name}.annotations.readOnlyHint`);
  }
  return validators;
}

/** Validates a tool result's structuredContent (if any) with our own compiled outputSchema. */
export function validateOutput(validators, tool, res) {
  const v = validators && validators[tool];
  if (!v || res.structuredContent === undefined) return;
  if (!v(res.structuredContent)) {
    throw new Error(`${tool}: structuredContent does not match its outputSchema: ` +
      `${JSON.stringify(v.errors).slice(0, 400)}`);
  }
}

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const isCount = (x) => Number.isInteger(x) && x >= 0;

/** Checks a cluster_status structuredContent; returns the local node's entry. */
export function checkStatusShape(sc) {
  expect(sc && typeof sc === 'object', 'cluster_status: structuredContent missing');
  eq(sc.local_node, LOCAL_NODE, 'cluster_status.local_node');
  expect(sc.nodes && typeof sc.nodes === 'object', 'cluster_status.nodes missing');
  const n = sc.nodes[LOCAL_NODE];
  expect(n, `cluster_status.nodes has no entry ${LOCAL_NODE}: keys ${Object.keys(sc.nodes)}`);
  for (const k of ['cpu_percent', 'memory_percent']) {
    expect(isNum(n[k]) && n[k] >= 0 && n[k] <= 100, `node.${k} not a percentage: ${n[k]}`);
  }
  for (const k of ['load_1m', 'load_5m', 'load_15m']) expect(isNum(n[k]) && n[k] >= 0, `node.${k}: ${n[k]}`);
  expect(Number.isInteger(n.cpu_count) && n.cpu_count >= 1, `node.cpu_count: ${n.cpu_count}`);
  eq(n.os, 'linux', 'node.os');
  expect(typeof n.arch === 'string' && n.arch.length > 0, `node.arch: ${n.arch}`);
  for (const [id, node] of Object.entries(sc.nodes)) {
    expect(NODE_STATUSES.includes(node.status), `nodes.${id}.status: ${node.status}`);
    expect(Array.isArray(node.capabilities) && node.capabilities.every((c) => typeof c === 'string'),
      `nodes.${id}.capabilities: ${JSON.stringify(node.capabilities)}`);
    expect(isCount(node.consecutive_failures), `nodes.${id}.consecutive_failures: ${node.consecutive_failures}`);
    expect(node.config_mismatch === null || typeof node.config_mismatch === 'string',
      `nodes.${id}.config_mismatch: ${JSON.stringify(node.config_mismatch)}`);
    // An age exactly when there is a sample to be old.
    expect(node.sampled_at === null ? node.sample_age_ms === null : isCount(node.sample_age_ms),
      `nodes.${id}.sample_age_ms ${node.sample_age_ms} with sampled_at ${node.sampled_at}`);
  }
  expect(['healthy', 'busy'].includes(n.status), `the local node is ${n.status}`);
  eq(n.reachable, true, 'node.reachable');
  expect('error' in n && (n.error === null || typeof n.error === 'string'), `node.error: ${JSON.stringify(n.error)}`);
  eq(n.config_mismatch, null, 'node.config_mismatch (the local node is detected, not configured)');
  expect(Number.isInteger(n.slots) && n.slots >= 1, `node.slots: ${n.slots}`);
  expect(isCount(n.busy_slots) && n.busy_slots <= n.slots, `node.busy_slots: ${n.busy_slots}`);
  expect(isCount(n.queued), `node.queued: ${n.queued}`);
  expect((typeof n.sampled_at === 'string' && n.sampled_at.length > 0) || isNum(n.sampled_at),
    `node.sampled_at: ${JSON.stringify(n.sampled_at)}`);
  expect(isCount(sc.queued), `cluster_status.queued: ${sc.queued}`);
  expect(Number.isInteger(sc.queue_limit) && sc.queue_limit >= 1, `cluster_status.queue_limit: ${sc.queue_limit}`);
  return n;
}

/** Checks a parallel_execute structuredContent with `n` commands. */
export function checkBatchShape(sc, n) {
  expect(sc && Array.isArray(sc.results), 'parallel_execute: no results array');
  eq(sc.results.length, n, 'parallel_execute results.length');
  sc.results.forEach((r, i) => checkRunShape(r, `results[${i}]`));
  eq(sc.total, n, 'parallel_execute.total');
  const ok = sc.results.filter((r) => r.success).length;
  eq(sc.succeeded, ok, 'parallel_execute.succeeded');
  eq(sc.failed, n - ok, 'parallel_execute.failed');
  expect(sc.stopped_by === null || typeof sc.stopped_by === 'string', 'parallel_execute.stopped_by');
}
