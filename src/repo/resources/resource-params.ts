import type { ResourceRecord } from '../../catalog/catalog.js';
import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import type { Repository } from '../repository.js';
import { checkOutBranch } from './types/git-type.js';
import { resourceType } from './types/index.js';

type Options = ResourceRecord['options'];

/** A parameter of one resource (`strata config --resource NAME PARAM [VALUE]`). */
export interface ResourceParamSpec {
  readonly name: string;
  /** The resource types that have it; absent: every type. */
  readonly types?: readonly string[];
  readonly help: string;
  /** The value shown when the option is not set. */
  readonly defaultValue: string;
  /** Reads the parameter from the resource's options (undefined when not set). */
  read(options: Options): string | undefined;
  /**
   * Checks a value and returns the resource's new options. May act on the resource first (a git
   * repository is switched to a new branch), so it runs before anything is stored.
   */
  write(options: Options, value: string, abs: string): Options;
}

function parseBool(name: string, value: string): boolean {
  if (['true', 'yes', '1', 'on'].includes(value.toLowerCase())) return true;
  if (['false', 'no', '0', 'off'].includes(value.toLowerCase())) return false;
  throw new InvalidArgumentError(`'${name}' is true or false, not '${value}'`, { name, value });
}

/** Sets `key` to `value`, or drops it when it is the default (`false`, ''), keeping the rest. */
function withOption(options: Options, key: string, value: unknown): Options {
  const { [key]: _dropped, ...rest } = options;
  return value === false || value === '' || value === undefined ? rest : { ...rest, [key]: value };
}

const flag = (key: string) => (options: Options) => (options[key] === true ? 'true' : undefined);
const text = (key: string) => (options: Options) =>
  typeof options[key] === 'string' ? (options[key] as string) : undefined;

/** Every resource parameter. Adding one is one entry here. */
export const RESOURCE_PARAMS: readonly ResourceParamSpec[] = [
  {
    name: 'read_only',
    help: 'snapshots record the resource, restores never write it',
    defaultValue: 'false',
    read: flag('readOnly'),
    write: (options, value) => withOption(options, 'readOnly', parseBool('read_only', value)),
  },
  {
    name: 'reference_only',
    types: ['local', 's3'],
    help: 'record content hashes but do not store the files (a restore cannot bring them back)',
    defaultValue: 'false',
    read: flag('referenceOnly'),
    write(options, value) {
      const on = parseBool('reference_only', value);
      if (!on && options.noHash === true) {
        throw new InvalidArgumentError(
          'this resource records sizes and times only (--no-hash), so it stays reference-only',
          { name: 'reference_only' },
        );
      }
      return withOption(options, 'referenceOnly', on);
    },
  },
  {
    name: 'branch',
    types: ['git'],
    help: 'the git branch the resource follows (a clean repository is switched to it)',
    defaultValue: '',
    read: text('branch'),
    write(options, value, abs) {
      if (value !== '') checkOutBranch(abs, value);
      return withOption(options, 'branch', value);
    },
  },
  {
    name: 'sync_mode',
    types: ['rclone'],
    help: "how the local copy follows the remote: 'copy' adds and overwrites, 'sync' also deletes",
    defaultValue: 'copy',
    read: text('syncMode'),
    write(options, value) {
      if (value !== 'copy' && value !== 'sync') {
        throw new InvalidArgumentError(`sync_mode is 'copy' or 'sync', not '${value}'`, { value });
      }
      return withOption(options, 'syncMode', value === 'copy' ? '' : value);
    },
  },
  {
    name: 'size_only',
    types: ['rclone'],
    help: 'rclone compares files by size only (not modification time) when bringing the copy in step',
    defaultValue: 'false',
    read: flag('sizeOnly'),
    write: (options, value) => withOption(options, 'sizeOnly', parseBool('size_only', value)),
  },
];

/** A resource parameter's value, and whether it was set or is the default. */
export interface ResourceParamValue {
  readonly resource: string;
  readonly name: string;
  readonly value: string;
  readonly isDefault: boolean;
  readonly help: string;
}

async function findResource(repo: Repository, name: string): Promise<ResourceRecord> {
  const found = (await repo.catalog.listResources()).find((r) => r.name === name);
  if (!found) throw new NotFoundError(`no resource named '${name}'`, { what: 'resource', name });
  return found;
}

function paramsOf(record: ResourceRecord): ResourceParamSpec[] {
  return RESOURCE_PARAMS.filter((p) => !p.types || p.types.includes(record.type));
}

function specOf(record: ResourceRecord, param: string): ResourceParamSpec {
  const spec = paramsOf(record).find((p) => p.name === param);
  if (!spec) {
    throw new InvalidArgumentError(
      `unknown parameter '${param}' for ${record.type} resource '${record.name}'; known: ${paramsOf(record)
        .map((p) => p.name)
        .join(', ')}`,
      { resource: record.name, name: param },
    );
  }
  return spec;
}

function valueOf(record: ResourceRecord, spec: ResourceParamSpec): ResourceParamValue {
  const set = spec.read(record.options);
  return {
    resource: record.name,
    name: spec.name,
    value: set ?? spec.defaultValue,
    isDefault: set === undefined,
    help: spec.help,
  };
}

/** Every parameter of resource `name`, with its value and help. */
export async function listResourceParams(repo: Repository, name: string): Promise<ResourceParamValue[]> {
  const record = await findResource(repo, name);
  return paramsOf(record).map((spec) => valueOf(record, spec));
}

/** One parameter of resource `name`. */
export async function getResourceParam(
  repo: Repository,
  name: string,
  param: string,
): Promise<ResourceParamValue> {
  const record = await findResource(repo, name);
  return valueOf(record, specOf(record, param));
}

/** Sets one parameter of resource `name` (stored with its registration, shared like it). */
export async function setResourceParam(
  repo: Repository,
  name: string,
  param: string,
  value: string,
): Promise<ResourceParamValue> {
  const record = await findResource(repo, name);
  const spec = specOf(record, param);
  const abs = resourceType(record.type).locate(repo.root, record.path);
  const options = spec.write(record.options, value, abs);
  if (!(await repo.catalog.setResourceOptions(name, options))) {
    throw new NotFoundError(`no resource named '${name}'`, { what: 'resource', name });
  }
  return valueOf({ ...record, options }, spec);
}
