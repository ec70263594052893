/**
 * Credentials come from the environment only (never from the repository): `STRATA_PG_PASSWORD`,
 * then a password given on the command line for this run, joins a PostgreSQL URL; `PGPASSWORD`
 * and `PGUSER` the driver reads itself; `AWS_*` the S3 SDK reads itself.
 */
export function withPassword(connectionString: string, password?: string): string {
  const secret = password ?? process.env.STRATA_PG_PASSWORD;
  if (secret === undefined) return connectionString;
  const url = new URL(connectionString);
  if (url.password !== '' && password === undefined) return connectionString;
  url.password = encodeURIComponent(secret);
  return url.toString();
}
