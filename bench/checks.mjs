// The result checks of bench/harness.mjs, one per kind of output: a
// parallel_execute result list (from the MCP server or `cluster-router
// parallel --json`), a broadcast tool's per-node lines, GNU parallel's job
// log, plain ssh's runs. They return problems instead of recording failures,
// so that the caller names the failure after the row and the phase it is in.

import { parseBroadcast } from './peers.mjs';

export const countBy = (xs) => {
  const m = new Map();
  for (const x of xs) m.set(x, (m.get(x) || 0) + 1);
  return m;
};
const sameMultiset = (a, b) => {
  if (a.length !== b.length) return false;
  const m = countBy(a);
  for (const x of b) { if (!m.get(x)) return false; m.set(x, m.get(x) - 1); }
  return true;
};
// One line per kind of problem, without per-repetition tokens, so that the
// same failure in every repetition prints once with a count.
export const summarize = (problems) => (problems.length
  ? `${problems.length} problem(s), first: ${problems[0]}` : null);
export const tail = (s, n = 300) => (s || '').trim().slice(-n);

// Problems with a result list, one entry per bad item; `expect(i, r)` returns
// what is wrong with item i beyond success, or null.
export function itemProblems(sc, count, nodeSet, expect) {
  const problems = [];
  if (sc.results.length !== count) problems.push(`${sc.results.length} results for ${count} commands`);
  if (sc.total !== count || sc.succeeded !== count || sc.failed !== 0) {
    problems.push(`total ${sc.total}, succeeded ${sc.succeeded}, failed ${sc.failed}`);
  }
  sc.results.forEach((r, i) => {
    if (r.success !== true || r.return_code !== 0) {
      problems.push(`item on ${r.executed_on}: success=${r.success} return_code=${r.return_code} error=${r.error} `
        + `${r.error_message || ''} ${tail(r.stderr, 200)}`.trim());
    } else if (!nodeSet.has(r.executed_on)) {
      problems.push(`item ran on ${r.executed_on}, not on a node of this workload`);
    } else {
      const p = expect(i, r);
      if (p) problems.push(p);
    }
  });
  return problems;
}

// What is wrong with a broadcast tool's run: null when it exited 0 and every
// node of `nodes`, and no other, printed exactly the lines `expected`. A
// node that printed nothing may be absent from a tool's output: with
// expected [] its exit status is the evidence.
export function broadcastProblem(tool, r, nodes, expected) {
  if (r.error) return `could not start: ${r.error}`;
  if (r.code !== 0) return `exit ${r.code ?? r.signal}: ${tail(r.stderr) || tail(r.stdout)}`;
  const byNode = parseBroadcast(tool, r.stdout);
  const problems = [];
  const want = JSON.stringify(expected);
  for (const n of nodes) {
    const lines = byNode.get(n) || [];
    if (JSON.stringify(lines) !== want) problems.push(`${n} printed ${JSON.stringify(lines).slice(0, 120)}`);
  }
  for (const [n, lines] of byNode) {
    if (!nodes.includes(n)) problems.push(`unexpected output${n ? ` from ${n}` : ''}: ${JSON.stringify(lines).slice(0, 120)}`);
  }
  return summarize(problems);
}

// Problems with plain ssh's runs of a command list (bench/ssh_pool.mjs
// sshList): every command once, exit 0 on a node of `nodes`, its stdout
// what `expectOut(command)` says, and no shorter than minRuntime(command) s.
export function sshRunProblems(runs, nodes, commands, expectOut, minRuntime) {
  const problems = [];
  if (!sameMultiset(runs.map((r) => r.command), commands)) problems.push(`${runs.length} runs, not the ${commands.length} commands given`);
  for (const r of runs) {
    if (r.error || r.code !== 0) problems.push(`'${r.command}' on ${r.node}: ${r.error || `exit ${r.code ?? r.signal}`} ${tail(r.stderr, 200)}`);
    else if (!nodes.includes(r.node)) problems.push(`'${r.command}' ran on ${r.node}, not on a node of this workload`);
    else if (r.stdout !== expectOut(r.command)) problems.push(`'${r.command}' printed ${JSON.stringify(r.stdout).slice(0, 80)}`);
    else if (r.ms < minRuntime(r.command) * 1000) problems.push(`'${r.command}' took only ${r.ms.toFixed(0)} ms`);
  }
  return problems;
}

// Problems with a GNU parallel list run that exited 0, from its job log
// `jobs` and its `stdout`: `expectOut` is the multiset of stdout lines all
// jobs together must print; `minRuntime(command)` the least a job may take, in s.
export function joblogProblems(jobs, stdout, nodes, commands, expectOut, minRuntime) {
  const problems = [];
  if (jobs.length !== commands.length) problems.push(`${jobs.length} jobs in the job log for ${commands.length} commands`);
  if (!sameMultiset(jobs.map((j) => j.command), commands)) problems.push('the job log\'s commands are not the ones given');
  for (const j of jobs) {
    if (j.exitval !== 0 || j.signal !== 0) problems.push(`job on ${j.host}: exit ${j.exitval} signal ${j.signal}`);
    else if (!nodes.includes(j.host)) problems.push(`job ran on ${j.host}, not on a node of this workload`);
    else if (j.runtime < minRuntime(j.command)) problems.push(`job '${j.command}' took only ${j.runtime} s`);
  }
  const out = stdout.split('\n');
  if (out.at(-1) === '') out.pop();
  if (!sameMultiset(out, expectOut)) problems.push(`stdout: ${out.length} lines, expected ${expectOut.length} `
    + `(first: ${JSON.stringify(out.slice(0, 3))})`);
  return problems;
}
