// Plain OpenSSH as a peer: one `ssh -F CFG NODE COMMAND` process per remote
// command, the way a shell script with `&` and `wait`, or `xargs -P`, drives
// it. With the ControlMaster ssh_config of bench/peers.mjs these are the
// "ssh with ControlMaster" rows users compare everything else with.

import { ms, now, runTool } from './lib.mjs';

const ssh = (cfg, node, command) => runTool({ file: 'ssh', args: ['-F', cfg, node, command], env: process.env });

// Runs `width` workers, each `work()` until it returns false.
const workers = (width, work) => Promise.all(Array.from({ length: width }, async () => { while (await work()); }));

// A list of commands over `nodes`, at most `slots` at once on each, every
// free slot taking the next command in input order (a first-free-slot
// queue, as GNU parallel --sshlogin SLOTS/node keeps). Resolves to
// { ms, runs: [{ node, command, ms, code, signal, stdout, stderr, error }] }.
export async function sshList(cfg, nodes, slots, commands) {
  const queue = [...commands];
  const runs = [];
  const t0 = now();
  await Promise.all(nodes.map((node) => workers(slots, async () => {
    const command = queue.shift();
    if (command === undefined) return false;
    runs.push({ node, command, ...await ssh(cfg, node, command) });
    return true;
  })));
  return { ms: ms(t0, now()), runs };
}

// One command on every node, at most `fanout` at once, with the result in
// the shape of a broadcast tool's run (runTool in bench/lib.mjs) and pdsh's
// `node: line` output, so that the same parser and checks apply: the exit
// status is the largest remote one (pdsh -S), 255 for an ssh that did not start.
export async function sshBroadcast(cfg, nodes, fanout, command) {
  const queue = [...nodes];
  const runs = [];
  const t0 = now();
  await workers(Math.min(fanout, nodes.length), async () => {
    const node = queue.shift();
    if (node === undefined) return false;
    runs.push({ node, ...await ssh(cfg, node, command) });
    return true;
  });
  const t = ms(t0, now());
  const label = (node, text) => (text || '').split('\n').filter(Boolean).map((l) => `${node}: ${l}\n`).join('');
  return {
    ms: t,
    code: Math.max(...runs.map((r) => (r.error ? 255 : r.code ?? 255))),
    stdout: runs.map((r) => label(r.node, r.stdout)).join(''),
    stderr: runs.map((r) => label(r.node, r.error || r.stderr)).join(''),
  };
}
