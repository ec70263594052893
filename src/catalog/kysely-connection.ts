import type { Kysely } from 'kysely';
import type { CatalogSchema } from './schema.js';

/** The catalog's connection; throws once the catalog is closed (each port asks for it per call). */
export type Connection = () => Kysely<CatalogSchema>;
