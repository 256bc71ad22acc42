// Long work through the SDK: background runs, the hand-off after
// wait_seconds, the task tools, and tasks seen and cancelled from another
// server process sharing the state directory, or left by one that exited.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  check, expect, eq, makeTempDir, toolResult, textOf, readPidFiles, assertGone,
  sleeperCommand, sleeperPidFiles,
} from './util.mjs';
import { openLegacy } from './sessions.mjs';

const taskOf = (res) => {
  const sc = toolResult(res);
  expect(sc.task && typeof sc.task.task_id === 'string', `no task in ${JSON.stringify(sc)}`);
  return sc.task;
};

async function statusOf(s, taskId, waitSeconds) {
  const args = waitSeconds ? { task_id: taskId, wait_seconds: waitSeconds } : { task_id: taskId };
  return taskOf(await s.call('task_status', args, { timeout: 30_000 }));
}

/** Reads a whole stream through task_output pages of `limit` bytes. */
async function readAll(s, taskId, stream, limit) {
  let text = '';
  let offset = 0;
  for (let pages = 0; pages < 10_000; ++pages) {
    const sc = toolResult(await s.call('task_output', { task_id: taskId, stream, offset, limit }));
    text += sc.text;
    expect(sc.next_offset >= offset, `next_offset went back: ${sc.next_offset} < ${offset}`);
    if (sc.complete) return text;
    expect(sc.next_offset > offset, `no progress at offset ${offset} of ${sc.size}`);
    offset = sc.next_offset;
  }
  throw new Error('task_output never completed');
}

export async function taskChecks(bin) {
  const state = makeTempDir('tasks-state');
  const env = { CLUSTER_STATE_DIR: state };
  let s;
  let other;
  try {
    await check('tasks.setup: two servers share one state directory', async () => {
      s = await openLegacy(bin, env);
      other = await openLegacy(bin, env);
      await s.client.listTools();
      await other.client.listTools();
    });
    if (!s || !other) return;

    await check('tasks.background: answers at once, task_status waits for the end', async () => {
      const t = taskOf(await s.call('cluster_bash', { command: 'sleep 1; echo done-bg', background: true }));
      expect(['queued', 'running'].includes(t.state), `state ${t.state}`);
      eq(t.return_code, null, 'return_code while running');
      const end = await statusOf(s, t.task_id, 15);
      eq(end.state, 'succeeded', 'state');
      eq(end.return_code, 0, 'return_code');
      eq(end.stdout_tail, 'done-bg\n', 'stdout_tail');
      expect(typeof end.executed_on === 'string' && end.finished_at, `node/finish: ${JSON.stringify(end)}`);
    });

    await check('tasks.wait_seconds: a long run is handed off, not failed', async () => {
      const res = await s.call('cluster_bash', { command: 'echo early; sleep 3; echo late', wait_seconds: 1 });
      const t = taskOf(res);
      eq(t.state, 'running', 'state at hand-off');
      expect(t.stdout_tail.includes('early'), `stdout_tail so far: ${JSON.stringify(t.stdout_tail)}`);
      expect(textOf(res).includes('still running'), `text: ${textOf(res)}`);
      const end = await statusOf(s, t.task_id, 15);
      eq(end.state, 'succeeded', 'state');
      eq(end.stdout_tail, 'early\nlate\n', 'stdout_tail');
    });

    await check('tasks.task_output: pages join to exactly the bytes written', async () => {
      const dir = makeTempDir('pages');
      // Two-byte characters and an odd page size: pages must not split one.
      const command = `for i in $(seq 1 3000); do printf 'é%05d\\n' $i; done | tee ${dir}/expected; printf 'no newline' | tee -a ${dir}/expected`;
      const t = taskOf(await s.call('cluster_bash', { command, background: true }));
      await statusOf(s, t.task_id, 15);
      const expected = readFileSync(`${dir}/expected`, 'utf8');
      eq((await readAll(s, t.task_id, 'stdout', 1001)).length, expected.length, 'length of paged text');
      expect(await readAll(s, t.task_id, 'stdout', 1001) === expected, 'paged text differs from the bytes written');
      const tail = toolResult(await s.call('task_output', { task_id: t.task_id, tail: 10 }));
      eq(tail.text, 'no newline', 'tail');
      const err = toolResult(await s.call('task_output', { task_id: t.task_id, stream: 'stderr' }));
      eq(err.text, '', 'stderr');
      eq(err.complete, true, 'stderr complete');
    }, { timeoutMs: 60_000 });

    await check('tasks.task_list: recent tasks, filtered by state', async () => {
      const sc = toolResult(await s.call('task_list', { limit: 50, state: 'succeeded' }));
      expect(sc.tasks.length >= 3, `only ${sc.tasks.length} succeeded tasks`);
      expect(sc.tasks.every((t) => t.state === 'succeeded'), 'a task of another state');
      const created = sc.tasks.map((t) => t.created_at);
      expect(created.every((c, i) => i === 0 || created[i - 1] >= c), `not newest first: ${created}`);
    });

    await check('tasks.cross-process: another server sees the task', async () => {
      const t = taskOf(await s.call('cluster_bash', { command: 'echo shared', background: true }));
      const seen = await statusOf(other, t.task_id, 15);
      eq(seen.state, 'succeeded', 'state seen by the other server');
      eq(seen.stdout_tail, 'shared\n', 'stdout_tail seen by the other server');
    });

    await check('tasks.cli: cluster-router status sees a task of the MCP server', async () => {
      const router = join(dirname(bin), 'cluster-router');
      expect(existsSync(router), `no cluster-router beside the server: ${router}`);
      const t = taskOf(await s.call('cluster_bash', { command: 'sleep 0.5; echo from-mcp', background: true }));
      const out = execFileSync(router, ['status', t.task_id, '--follow', '--json'], {
        env: { ...process.env, CLUSTER_STATE_DIR: state }, encoding: 'utf8', timeout: 20_000,
      });
      const seen = JSON.parse(out);
      eq(seen.task_id, t.task_id, 'task_id');
      eq(seen.state, 'succeeded', 'state');
      eq(seen.stdout_tail, 'from-mcp\n', 'stdout_tail');
      const logs = execFileSync(router, ['logs', t.task_id], {
        env: { ...process.env, CLUSTER_STATE_DIR: state }, encoding: 'utf8', timeout: 10_000,
      });
      eq(logs, 'from-mcp\n', 'cluster-router logs');
    }, { timeoutMs: 30_000 });

    await check('tasks.task_cancel: from another server, the process group dies', async () => {
      const dir = makeTempDir('tcancel');
      const t = taskOf(await s.call('cluster_bash', { command: sleeperCommand(dir), background: true }));
      const pids = await readPidFiles(sleeperPidFiles(dir));
      const c = taskOf(await other.call('task_cancel', { task_id: t.task_id }, { timeout: 30_000 }));
      eq(c.state, 'cancelled', 'state after cancel');
      await assertGone(pids, 5_000, 'cancelled background task');
      const again = await other.call('task_cancel', { task_id: t.task_id });
      expect(textOf(again).includes('nothing to cancel'), `second cancel: ${textOf(again)}`);
    }, { timeoutMs: 40_000 });

    await check('tasks.exit: a server that exits records its tasks as cancelled', async () => {
      const dir = makeTempDir('texit');
      const third = await openLegacy(bin, env);
      const t = taskOf(await third.call('cluster_bash', { command: sleeperCommand(dir), background: true }));
      const pids = await readPidFiles(sleeperPidFiles(dir));
      await third.close();
      await assertGone(pids, 10_000, 'tasks of an exited server');
      const end = await statusOf(s, t.task_id, 5);
      eq(end.state, 'cancelled', 'state after the server exited');
    }, { timeoutMs: 40_000 });

    await check('tasks.errors: unknown ids and bad arguments are clear', async () => {
      const res = await s.call('task_status', { task_id: 'no-such-task' });
      expect(res.isError === true && textOf(res).includes('no task no-such-task'), textOf(res));
      const both = await s.call('task_output', { task_id: 'x', tail: 5, offset: 1 });
      expect(both.isError === true && textOf(both).includes('not both'), textOf(both));
      const bg = await s.call('cluster_bash', { command: 'true', background: true, wait_seconds: 2 });
      expect(bg.isError === true && textOf(bg).includes('background'), textOf(bg));
    });
  } finally {
    await s?.close().catch(() => {});
    await other?.close().catch(() => {});
  }

  await check('tasks.unwritable: commands still run, the task tools say why', async () => {
    const base = makeTempDir('blocked');
    writeFileSync(`${base}/file`, 'not a directory');
    const b = await openLegacy(bin, { CLUSTER_STATE_DIR: `${base}/file/state` });
    try {
      const r = toolResult(await b.call('cluster_bash', { command: 'echo still-runs' }));
      eq(r.stdout, 'still-runs\n', 'stdout');
      const l = await b.call('task_list', {});
      expect(l.isError === true && textOf(l).includes('journal'), textOf(l));
      expect(textOf(l).includes(`${base}/file`), `the error does not name the directory: ${textOf(l)}`);
    } finally {
      await b.close().catch(() => {});
    }
  });
}
