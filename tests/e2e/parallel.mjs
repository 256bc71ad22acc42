// parallel_execute's own contract through the SDK: fail_fast, max_parallel,
// the broadcast form and its groups, argument errors, and a batch the server
// refuses as overloaded instead of queueing it.

import { readFileSync } from 'node:fs';
import { check, expect, eq, makeTempDir, toolResult, textOf, LOCAL_NODE } from './util.mjs';
import { checkBatchShape } from './schemas.mjs';
import { openLegacy } from './sessions.mjs';

// Each command notes how many of its siblings run beside it when it starts.
function overlapCommand(dir, i) {
  return `touch ${dir}/${i}.run; ls ${dir} | grep -c '\\.run$' >> ${dir}/seen; sleep 0.4; rm ${dir}/${i}.run`;
}

export async function parallelChecks(s, era) {
  await check(`${era}.parallel_execute: fail_fast cancels what has not finished`, async () => {
    const commands = ['exit 3', 'sleep 20; echo late', 'sleep 20'];
    const sc = toolResult(await s.call('parallel_execute', { commands, fail_fast: true }), { isError: null });
    checkBatchShape(sc, 3);
    eq(sc.results[0].return_code, 3, 'results[0].return_code');
    eq(sc.stopped_by, sc.results[0].task_id, 'stopped_by');
    for (const i of [1, 2]) {
      eq(sc.results[i].error, 'cancelled', `results[${i}].error`);
      expect(sc.results[i].error_message.includes('fail_fast'), `results[${i}].error_message: ${sc.results[i].error_message}`);
    }
  });

  await check(`${era}.parallel_execute: without fail_fast a failure spoils nothing`, async () => {
    const sc = toolResult(await s.call('parallel_execute', { commands: ['exit 3', 'sleep 0.3; echo ok'] }), { isError: null });
    eq(sc.results[1].stdout, 'ok\n', 'results[1].stdout');
    eq(sc.stopped_by, null, 'stopped_by');
  });

  await check(`${era}.parallel_execute: max_parallel caps the call's concurrency`, async () => {
    const dir = makeTempDir('cap');
    const commands = Array.from({ length: 6 }, (_, i) => overlapCommand(dir, i));
    const sc = toolResult(await s.call('parallel_execute', { commands, max_parallel: 2 }));
    eq(sc.succeeded, 6, 'succeeded');
    const seen = readFileSync(`${dir}/seen`, 'utf8').trim().split('\n').map(Number);
    eq(seen.length, 6, 'commands that noted their siblings');
    expect(Math.max(...seen) <= 2, `up to ${Math.max(...seen)} ran at once with max_parallel 2 (${seen})`);
  });

  await check(`${era}.parallel_execute: broadcast runs once on every node, grouped`, async () => {
    const res = await s.call('parallel_execute', { command: 'echo same', broadcast: true });
    const sc = toolResult(res);
    checkBatchShape(sc, 1);
    eq(sc.results[0].executed_on, LOCAL_NODE, 'executed_on');
    eq(sc.groups.length, 1, 'groups');
    eq(JSON.stringify(sc.groups[0].nodes), JSON.stringify([LOCAL_NODE]), 'groups[0].nodes');
    eq(sc.groups[0].stdout, 'same\n', 'groups[0].stdout');
    expect(textOf(res).includes(LOCAL_NODE), 'text does not name the node');
  });

  await check(`${era}.parallel_execute: a broadcast to an unknown node runs nothing`, async () => {
    const dir = makeTempDir('bad-node');
    const res = await s.call('parallel_execute', { command: `touch ${dir}/ran`, nodes: [LOCAL_NODE, 'no-such-node-e2e'] });
    toolResult(res, { isError: true });
    expect(textOf(res).includes('no-such-node-e2e'), `text: ${textOf(res)}`);
    expect(textOf(res).includes('placement'), `text: ${textOf(res)}`);
    let ran = true;
    try { readFileSync(`${dir}/ran`); } catch { ran = false; }
    expect(!ran, 'the command ran on the known node');
  });

  const refusals = [
    [{ commands: ['true'], command: 'true' }, 'not both'],
    [{ command: 'true' }, 'broadcast'],
    [{ commands: ['true'], merge_output: false }, 'merge_output'],
    [{ commands: ['true'], max_parallel: 0 }, 'max_parallel'],
    [{ commands: ['true'], fail_fast: 'yes' }, 'fail_fast'],
    [{ command: 'true', nodes: ['a', 'a'] }, 'named twice'],
    [{ command: 'true', nodes: [] }, 'nodes'],
  ];
  for (const [args, needle] of refusals) {
    await check(`${era}.parallel_execute: refuses ${JSON.stringify(args)}`, async () => {
      const res = await s.call('parallel_execute', args);
      expect(res.isError === true, `isError: ${res.isError}`);
      expect(textOf(res).includes(needle), `text lacks "${needle}": ${textOf(res)}`);
    });
  }
}

/** A batch larger than the router can hold is refused whole, not queued. */
export async function overloadChecks(bin) {
  let s;
  try {
    await check('overload.parallel_execute: a batch beyond CLUSTER_QUEUE_LIMIT is refused', async () => {
      const dir = makeTempDir('overload');
      s = await openLegacy(bin, { CLUSTER_QUEUE_LIMIT: '3', CLUSTER_LOCAL_SLOTS: '1' });
      const commands = Array.from({ length: 5 }, (_, i) => `touch ${dir}/${i}`);
      const res = await s.call('parallel_execute', { commands });
      const sc = toolResult(res, { isError: true });
      eq(sc.error, 'overloaded', 'error');
      eq(sc.total, 0, 'total');
      expect(textOf(res).includes('overloaded'), `text: ${textOf(res)}`);
      let any = false;
      for (let i = 0; i < 5; ++i) { try { readFileSync(`${dir}/${i}`); any = true; } catch { /* never ran */ } }
      expect(!any, 'part of the refused batch ran');
      // Within the limit it runs.
      const ok = toolResult(await s.call('parallel_execute', { commands: commands.slice(0, 3) }));
      eq(ok.succeeded, 3, 'succeeded');
    });
  } finally {
    await s?.close().catch(() => {});
  }
}
