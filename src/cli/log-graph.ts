/** The minimum a graph needs to know of a commit. */
export interface GraphCommit {
  readonly id: string;
  readonly parents: readonly string[];
}

/**
 * Draws a text graph like `git log --graph`: one lane per line of history, `*` for the commit,
 * `|` for lanes passing by, and connector rows where a merge forks (`|\`) or lanes join (`|/`).
 * Commits must come children before parents (as `log` orders them). Returns, per commit, the
 * prefix of its own row and the connector rows to print after it.
 */
export function drawGraph(commits: readonly GraphCommit[]): { row: string; after: string[] }[] {
  let lanes: (string | null)[] = [];
  const out: { row: string; after: string[] }[] = [];
  for (const c of commits) {
    let at = lanes.indexOf(c.id);
    if (at === -1) {
      at = lanes.indexOf(null);
      if (at === -1) at = lanes.push(c.id) - 1;
      else lanes[at] = c.id;
    }
    const row = lanes.map((l, i) => (i === at ? '*' : l ? '|' : ' ')).join(' ');
    const after: string[] = [];
    // Other lanes that were waiting for this commit join it.
    const joining = lanes.map((l, i) => (l === c.id && i !== at ? i : -1)).filter((i) => i >= 0);
    if (joining.length > 0) {
      for (const i of joining) lanes[i] = null;
      after.push(lanes.map((l, i) => (i === at ? '|' : joining.includes(i) ? '/' : l ? '|' : ' ')).join(' '));
    }
    lanes[at] = c.parents[0] ?? null;
    for (const p of c.parents.slice(1)) {
      if (lanes.includes(p)) continue;
      let slot = lanes.indexOf(null);
      if (slot === -1) slot = lanes.push(p) - 1;
      else lanes[slot] = p;
      after.push(lanes.map((l, i) => (i === at ? '|' : i === slot ? '\\' : l ? '|' : ' ')).join(' '));
    }
    while (lanes.length > 0 && lanes[lanes.length - 1] === null) lanes.pop();
    lanes = [...lanes];
    out.push({ row, after });
  }
  return out;
}
