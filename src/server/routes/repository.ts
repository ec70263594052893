import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import * as api from '../../api/index.js';
import { Ok } from '../../protocol/common.js';
import {
  Branch,
  CommitDetails,
  CommitParams,
  CreateRef,
  DiffQuery,
  DiffResult,
  LogPage,
  LogQuery,
  RefParams,
  Refs,
  StatusReport,
  Tag,
} from '../../protocol/repository.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

const tags = ['repository'];

const logJson = (e: api.LogEntry) => ({
  id: e.id,
  parents: [...e.parents],
  message: e.message,
  author: e.author,
  author_email: e.authorEmail ?? null,
  time: e.time,
  tags: [...e.tags],
});

/** Commits whose details are kept: they never change once made, so a hit costs no read. */
const COMMITS_KEPT = 256;

/** Refs, log, commits, diffs and the working folder's status. */
export function registerRepositoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repo } = ctx;
  const describeCommit = (id: string, c: api.Commit, tree: api.RootTree) => ({
    ...logJson({ ...c, id, tags: [...c.tags] } as unknown as api.LogEntry),
    resources: Object.entries(tree.resources).map(([name, r]) => ({
      name,
      role: r.role,
      path: r.path,
      files: r.files,
      bytes: r.bytes,
    })),
    columns: Object.values(api.readColumns(tree, id)).map((r) => ({ name: r.schema.name, count: r.count })),
  });
  const commits = new Map<string, ReturnType<typeof describeCommit>>();
  /** A commit's metadata, resources and columns (objects verified when first read), kept by id. */
  const commitDetails = async (id: string) => {
    const kept = commits.get(id);
    if (kept) return kept;
    const details = describeCommit(id, await api.readCommit(repo, id), await api.readCommitTree(repo, id));
    if (commits.size >= COMMITS_KEPT) commits.delete(commits.keys().next().value!);
    commits.set(id, details);
    return details;
  };

  app.get(
    '/api/refs',
    {
      config: { access: 'read' },
      schema: routeSchema({ summary: 'HEAD, branches and tags', tags, response: { 200: Refs } }),
    },
    // One catalog read: HEAD, branches and tags as of the same moment.
    async () => api.readRefs(repo),
  );

  app.post(
    '/api/refs/branches',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'create a branch at start (default HEAD)',
        tags,
        body: CreateRef,
        response: { 201: Branch },
      }),
    },
    async (request, reply) => {
      const body = request.body as z.infer<typeof CreateRef>;
      const b = await api.createBranch(repo, body.name, body.start);
      return reply.code(201).send({ name: b.name, head: b.head, current: false });
    },
  );

  app.delete(
    '/api/refs/branches/:name',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'delete a branch (never the current one)',
        tags,
        params: RefParams,
        response: { 200: Ok },
      }),
    },
    async (request) => {
      await api.deleteBranch(repo, (request.params as z.infer<typeof RefParams>).name);
      return { ok: true };
    },
  );

  app.post(
    '/api/refs/tags',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'tag a revision (default HEAD)',
        tags,
        body: CreateRef,
        response: { 201: Tag },
      }),
    },
    async (request, reply) => {
      const body = request.body as z.infer<typeof CreateRef>;
      const t = await api.createTag(repo, body.name, body.start);
      return reply.code(201).send({ name: t.name, commit: t.commit });
    },
  );

  app.delete(
    '/api/refs/tags/:name',
    {
      config: { access: 'write' },
      schema: routeSchema({ summary: 'delete a tag', tags, params: RefParams, response: { 200: Ok } }),
    },
    async (request) => {
      await api.deleteTag(repo, (request.params as z.infer<typeof RefParams>).name);
      return { ok: true };
    },
  );

  app.get(
    '/api/log',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'commits reachable from a revision, newest first, paged',
        tags,
        querystring: LogQuery,
        response: { 200: LogPage },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof LogQuery>;
      const entries = await api.log(repo, { revisions: [q.revision], limit: q.offset + q.limit + 1 });
      const page = entries.slice(q.offset, q.offset + q.limit);
      return {
        commits: page.map(logJson),
        next_offset: entries.length > q.offset + q.limit ? q.offset + q.limit : null,
      };
    },
  );

  app.get(
    '/api/commits/:revision',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'one commit: metadata, resources, columns',
        tags,
        params: CommitParams,
        response: { 200: CommitDetails },
      }),
    },
    async (request) => {
      const { revision } = request.params as z.infer<typeof CommitParams>;
      // One catalog read gives HEAD and the tags as of the same moment: `HEAD`, the common
      // case, costs nothing more; any other revision is resolved as the CLI resolves it.
      const refs = await api.readRefs(repo);
      const id =
        revision === 'HEAD' || revision === '@'
          ? refs.head.commit
          : (await api.resolveRevision(repo, revision)).commit;
      if (id === null) throw new api.NotFoundError('no commits yet', { what: 'commit' });
      const details = await commitDetails(id);
      // Tags move independently of the (immutable) commit: read them on every request.
      const refTags = refs.tags.filter((t) => t.commit === id).map((t) => t.name);
      return { ...details, tags: [...new Set([...details.tags, ...refTags])] };
    },
  );

  app.get(
    '/api/diff',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'changes between two revisions (from default: the parent of to)',
        tags,
        querystring: DiffQuery,
        response: { 200: DiffResult },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof DiffQuery>;
      const to = (await api.resolveRevision(repo, q.to)).commit;
      if (to === null) throw new api.NotFoundError('no commits yet', { what: 'commit' });
      const from =
        q.from !== undefined
          ? (await api.resolveRevision(repo, q.from)).commit
          : ((await api.readCommit(repo, to)).parents[0] ?? null);
      const changes = await api.diffRevisions(repo, from, to);
      const columns = await api.diffColumnRevisions(repo, from, to);
      return { from, to, changes: changes.map(api.changeToJson), columns };
    },
  );

  app.get(
    '/api/status',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'status of the served working folder',
        tags,
        response: { 200: StatusReport },
      }),
    },
    async () => JSON.parse(JSON.stringify(await api.status(repo))) as Record<string, unknown>,
  );
}
