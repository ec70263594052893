import type { Command } from 'commander';
import type { LogEntry } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { drawGraph } from '../log-graph.js';
import { bold, cyan, dim, green, printJson, say, short, yellow } from '../output.js';
import { printColumnChanges } from './column.js';
import { printChanges } from './worktree.js';

function decorations(e: LogEntry, headBranch: string | null): string {
  const parts: string[] = [];
  if (e.isHead) parts.push(headBranch ? `HEAD -> ${headBranch}` : 'HEAD');
  for (const b of e.branches) if (b !== headBranch || !e.isHead) parts.push(b);
  for (const t of e.tags) parts.push(`tag: ${t}`);
  return parts.length > 0 ? ` ${yellow(`(${parts.join(', ')})`)}` : '';
}

const logJson = (e: LogEntry) => ({
  id: e.id,
  parents: e.parents,
  message: e.message,
  author: e.author,
  author_email: e.authorEmail ?? null,
  time: e.time,
  tags: e.tags,
  ...(e.shallow ? { shallow: true } : {}),
});

/** `Name <email>`, or the name alone for a commit without email. */
const authorText = (c: { author: string; authorEmail?: string }) =>
  c.authorEmail ? `${c.author} <${c.authorEmail}>` : c.author;

export function registerHistoryCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('log [revisions...]')
    .description('commits reachable from HEAD (or the given revisions), newest first, with a graph')
    .option('--all', 'start from every branch and tag')
    .option('-n, --limit <count>', 'show at most this many commits', (v) => Number.parseInt(v, 10))
    .option('--json', 'print as JSON')
    .action(async (revisions: string[], opts: { all?: boolean; limit?: number; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const entries = await api.log(repo, { revisions, all: opts.all, limit: opts.limit });
        if (opts.json) return printJson(entries.map(logJson));
        if (entries.length === 0) return say('no commits yet');
        const head = await api.readHead(repo);
        const graph = drawGraph(entries);
        entries.forEach((e, i) => {
          const g = graph[i]!;
          say(
            `${g.row} ${yellow(short(e.id))}${decorations(e, head.branch)} ${e.message.split('\n')[0]} ${dim(`— ${authorText(e)}, ${e.time}`)}`,
          );
          for (const line of g.after) say(line);
          if (e.shallow)
            say(
              dim(
                `  ~ history stops here: older commits are absent by design (shallow clone, on the remote)`,
              ),
            );
        });
      });
    });

  program
    .command('show [revision]')
    .description('a commit: id, parents, author, time, message, tags, resources and the files it changed')
    .option('--json', 'print as JSON')
    .action(async (revision: string | undefined, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const { commit: id } = await api.resolveRevision(repo, revision ?? 'HEAD');
        const c = await api.readCommit(repo, id);
        const tree = await api.readCommitTree(repo, id);
        const changes = await api.diffRevisions(repo, c.parents[0] ?? null, id);
        const columnChanges = await api.diffColumnRevisions(repo, c.parents[0] ?? null, id);
        const columns = Object.values(api.readColumns(tree, id)).map((r) => ({
          name: r.schema.name,
          count: r.count,
        }));
        const tags = (await api.listTags(repo)).filter((t) => t.commit === id).map((t) => t.name);
        const resources = Object.entries(tree.resources).map(([name, r]) => ({
          name,
          role: r.role,
          path: r.path,
          files: r.files,
          bytes: r.bytes,
        }));
        if (opts.json) {
          return printJson({
            id,
            parents: c.parents,
            message: c.message,
            author: c.author,
            author_email: c.authorEmail ?? null,
            time: c.time,
            tags,
            resources,
            columns,
            changes: [...changes.map(api.changeToJson), ...columnChanges],
          });
        }
        say(`${bold('commit')} ${yellow(id)}`);
        if (c.parents.length > 0) say(`parents ${c.parents.map(short).join(' ')}`);
        say(`author  ${authorText(c)}`);
        say(`time    ${c.time}`);
        if (tags.length > 0) say(`tags    ${tags.join(', ')}`);
        say('');
        for (const line of c.message.split('\n')) say(`    ${line}`);
        say('');
        for (const r of resources)
          say(`  ${green(r.name)} ${cyan(r.role)} ${r.path}/ — ${r.files} files, ${r.bytes} B`);
        for (const col of columns) say(`  ${green(col.name)} ${cyan('column')} — ${col.count} samples`);
        say(`Changes (${changes.length + columnChanges.length}):`);
        printChanges(changes);
        if (columnChanges.length > 0) printColumnChanges(columnChanges);
      });
    });
}
