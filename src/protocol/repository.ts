import { z } from 'zod';
import { Revision } from './common.js';

export const Branch = z.object({ name: z.string(), head: z.string(), current: z.boolean() });
export const Tag = z.object({ name: z.string(), commit: z.string() });
export const Refs = z.object({
  head: z.object({ branch: z.string().nullable(), commit: z.string().nullable() }),
  branches: z.array(Branch),
  tags: z.array(Tag),
});
export type Refs = z.infer<typeof Refs>;

/** A branch or tag name: what git allows, roughly (the library checks the rest). */
const RefName = z.string().min(1).max(200);
export const CreateRef = z.object({ name: RefName, start: Revision.optional() });
export type CreateRef = z.infer<typeof CreateRef>;
export const RefParams = z.object({ name: RefName });

export const LogQuery = z.object({
  revision: Revision.default('HEAD'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export const LogEntry = z.object({
  id: z.string(),
  parents: z.array(z.string()),
  message: z.string(),
  author: z.string(),
  author_email: z.string().nullable(),
  time: z.string(),
  tags: z.array(z.string()),
});
export const LogPage = z.object({ commits: z.array(LogEntry), next_offset: z.number().int().nullable() });
export type LogPage = z.infer<typeof LogPage>;

export const CommitParams = z.object({ revision: Revision });
export const Change = z.record(z.string(), z.unknown());
export const CommitDetails = LogEntry.extend({
  resources: z.array(
    z.object({ name: z.string(), role: z.string(), path: z.string(), files: z.number(), bytes: z.number() }),
  ),
  columns: z.array(z.object({ name: z.string(), count: z.number() })),
});
export type CommitDetails = z.infer<typeof CommitDetails>;

export const DiffQuery = z.object({ from: Revision.optional(), to: Revision.default('HEAD') });
export const DiffResult = z.object({
  from: z.string().nullable(),
  to: z.string(),
  changes: z.array(Change),
  columns: z.array(Change),
});
export type DiffResult = z.infer<typeof DiffResult>;

export const TreeParams = z.object({ revision: Revision, resource: z.string().min(1) });
export const TreeQuery = z.object({
  prefix: z.string().optional(),
  after: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export const TreeFile = z.object({
  path: z.string(),
  hash: z.string(),
  size: z.number(),
  executable: z.boolean(),
  symlink: z.boolean(),
});
export const TreePage = z.object({
  commit: z.string(),
  resource: z.string(),
  files: z.array(TreeFile),
  next: z.string().nullable(),
});
export type TreePage = z.infer<typeof TreePage>;

export const FileQuery = z.object({ path: z.string().min(1) });

export const StatusReport = z.record(z.string(), z.unknown());
