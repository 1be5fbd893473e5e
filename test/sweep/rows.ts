import Database from 'better-sqlite3';

/** Every row a query gives on a sweep's database, opened read-only (the coordinator may still hold it). */
export function rows<T>(db: string, sql: string): T[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).all() as T[];
  } finally {
    d.close();
  }
}
