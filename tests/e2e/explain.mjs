// Placement seen from the client: explain=true answers where a command would
// run and why without running it, and requires_capabilities a node lacks is
// refused by name. Runs in both eras, because both SDKs validate the explain
// reply against cluster_bash's and offload_to's outputSchema.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { check, expect, eq, makeTempDir, sleep, toolResult, textOf, checkRunShape, LOCAL_NODE } from './util.mjs';
import { checkBatchShape } from './schemas.mjs';

// Not a name any node file of these tests offers.
const MISSING_CAPABILITY = 'gpu-e2e-missing';

/** Checks an explain reply's envelope; returns its explanation. */
function explanationOf(res, { isError = false, where = 'explain' } = {}) {
  const sc = toolResult(res, { isError, where });
  expect(sc && sc.explanation && typeof sc.explanation === 'object', `${where}: no structuredContent.explanation: ${JSON.stringify(sc)}`);
  // Nothing ran, so nothing may look like a run's result.
  for (const k of ['stdout', 'return_code', 'task_id', 'success']) expect(!(k in sc), `${where}: explain reply carries ${k}`);
  const x = sc.explanation;
  expect(Array.isArray(x.nodes) && x.nodes.length >= 1, `${where}.nodes: ${JSON.stringify(x.nodes)}`);
  for (const n of x.nodes) {
    expect(typeof n.node === 'string' && typeof n.eligible === 'boolean' && typeof n.note === 'string',
      `${where}: node verdict ${JSON.stringify(n)}`);
    expect(n.eligible ? typeof n.score === 'number' : n.score === null, `${where}: score of ${JSON.stringify(n)}`);
    expect(textOf(res).includes(`\n  ${n.node}: ${n.eligible ? 'eligible' : 'not eligible'}`),
      `${where}: text has no verdict line for ${n.node}: ${textOf(res)}`);
  }
  return x;
}

export async function explainChecks(s, era) {
  const bash = (args) => s.call('cluster_bash', args);

  await check(`${era}.explain: cluster_bash explain=true decides and runs nothing`, async () => {
    const file = join(makeTempDir('explain'), 'must-not-exist');
    const command = `touch ${file}`;
    const res = await bash({ command, explain: true });
    const x = explanationOf(res);
    eq(x.would_run_on, LOCAL_NODE, 'would_run_on');
    eq(x.error, null, 'error');
    eq(x.would_wait, false, 'would_wait');
    expect(typeof x.routing_reason === 'string' && x.routing_reason.length > 0, `routing_reason: ${x.routing_reason}`);
    expect(textOf(res).startsWith(`would run on ${LOCAL_NODE}: ${x.routing_reason}`), `text: ${textOf(res)}`);
    const local = x.nodes.find((n) => n.node === LOCAL_NODE);
    expect(local && local.eligible, `no eligible verdict for ${LOCAL_NODE}: ${JSON.stringify(x.nodes)}`);
    // A run would have touched it by the time it answered; give a stray one time to show.
    await sleep(300);
    expect(!existsSync(file), `explain ran the command: ${file} exists`);
    // The same call without explain does run it: the check above means something.
    toolResult(await bash({ command, explain: false }));
    expect(existsSync(file), `explain: false did not run the command (${file} missing)`);
  });

  await check(`${era}.explain: a heavy command is classified as such`, async () => {
    const x = explanationOf(await bash({ command: 'cd /tmp && make -j8', explain: true }));
    eq(x.weight, 'heavy', 'weight');
    expect(x.classification.includes('make'), `classification: ${x.classification}`);
    eq(x.auto_routed, true, 'auto_routed');
  });

  await check(`${era}.explain: requires_os darwin -> isError naming os=darwin, nothing runs`, async () => {
    const res = await bash({ command: 'true', requires_os: 'darwin', explain: true });
    const x = explanationOf(res, { isError: true });
    eq(x.would_run_on, null, 'would_run_on');
    expect(typeof x.error === 'string' && x.error.includes('os=darwin'), `error: ${x.error}`);
    expect(textOf(res).includes('os=darwin'), `text: ${textOf(res)}`);
    const local = x.nodes.find((n) => n.node === LOCAL_NODE);
    expect(local && !local.eligible && local.note.includes('darwin'), `local verdict: ${JSON.stringify(local)}`);
  });

  await check(`${era}.explain: offload_to a named node, and an unknown one`, async () => {
    const x = explanationOf(await s.call('offload_to', { command: 'make', node_id: LOCAL_NODE, explain: true }));
    eq(x.would_run_on, LOCAL_NODE, 'would_run_on');
    eq(x.auto_routed, false, 'auto_routed');
    const res = await s.call('offload_to', { command: 'true', node_id: 'no-such-node-e2e', explain: true });
    const y = explanationOf(res, { isError: true, where: 'unknown node' });
    expect(y.error.includes('no-such-node-e2e'), `error: ${y.error}`);
  });

  await check(`${era}.requires_capabilities: one no node offers -> placement naming it`, async () => {
    const res = await bash({ command: 'true', requires_capabilities: [MISSING_CAPABILITY] });
    const sc = toolResult(res, { isError: true });
    checkRunShape(sc);
    eq(sc.error, 'placement', 'error');
    expect(sc.error_message.includes(MISSING_CAPABILITY), `error_message: ${sc.error_message}`);
    expect(textOf(res).includes(MISSING_CAPABILITY), `text: ${textOf(res)}`);
    const x = explanationOf(await bash({ command: 'true', requires_capabilities: [MISSING_CAPABILITY], explain: true }),
      { isError: true, where: 'explain' });
    expect(x.error.includes(MISSING_CAPABILITY), `explanation.error: ${x.error}`);
    const b = toolResult(await s.call('parallel_execute', { commands: ['true', 'true'], requires_capabilities: [MISSING_CAPABILITY] }),
      { isError: null });
    checkBatchShape(b, 2);
    b.results.forEach((r, i) => {
      eq(r.error, 'placement', `results[${i}].error`);
      expect(r.error_message.includes(MISSING_CAPABILITY), `results[${i}].error_message: ${r.error_message}`);
    });
  });

  await check(`${era}.requires_capabilities: an empty list asks for nothing`, async () => {
    const sc = toolResult(await bash({ command: 'echo any', requires_capabilities: [] }));
    eq(sc.stdout, 'any\n', 'stdout');
  });
}
