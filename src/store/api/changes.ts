/**
 * Change notifications: an optional capability of a Store that says, as soon as it knows, that
 * something other processes cache moved (a write committed, by this process or another). It only
 * wakes the reader: what changed is read from the store (`changesSince`, `getCollection`,
 * `listModules`), so a missed notification loses nothing a poll does not recover (the services'
 * followers poll too). PostgreSQL sends each notice with `pg_notify('semhub_changes', payload)`
 * inside the writing transaction (delivered on commit, to every process, never for a rollback),
 * heard on one dedicated `LISTEN` connection that reconnects when lost. SQLite (one process per
 * data directory) has none.
 */

/**
 * One notification:
 * - `documents`: the collection's change sequence reached at least `seq` (payload `<key>:<seq>`);
 * - `collection`: a collection was created or deleted (payload `collection:<key>:created|deleted:<name>`);
 * - `module`: a module was recorded (loadModule) by some process (payload `module`);
 * - `binding`: a collection's module binding changed (a migration started, entered its last phase,
 *   swapped or ended; previous vectors dropped) and now has `version` (payload `binding:<key>:<version>`).
 */
export type ChangeNotice =
  | { kind: 'documents'; collectionKey: number; seq: number }
  | { kind: 'collection'; collectionKey: number; name: string; deleted: boolean }
  | { kind: 'module' }
  | { kind: 'binding'; collectionKey: number; version: number };

export interface ChangeFeed {
  /** Calls `listener` for every notice from now on; returns the unsubscribe function. */
  onChange(listener: (notice: ChangeNotice) => void): () => void;
}

/** The PostgreSQL channel that carries change notices. */
export const CHANGE_CHANNEL = 'semhub_changes';

/** The payload that carries `notice` (parseChangeNotice reads it back). */
export function formatChangeNotice(notice: ChangeNotice): string {
  switch (notice.kind) {
    case 'documents':
      return `${notice.collectionKey}:${notice.seq}`;
    case 'collection':
      return `collection:${notice.collectionKey}:${notice.deleted ? 'deleted' : 'created'}:${notice.name}`;
    case 'module':
      return 'module';
    case 'binding':
      return `binding:${notice.collectionKey}:${notice.version}`;
  }
}

/** Parses a notice payload (see ChangeNotice); null when malformed. */
export function parseChangeNotice(payload: string | undefined): ChangeNotice | null {
  const text = payload ?? '';
  const documents = /^(\d+):(\d+)$/.exec(text);
  if (documents) return { kind: 'documents', collectionKey: Number(documents[1]), seq: Number(documents[2]) };
  const collection = /^collection:(\d+):(created|deleted):(.+)$/.exec(text);
  if (collection) return { kind: 'collection', collectionKey: Number(collection[1]), name: collection[3]!, deleted: collection[2] === 'deleted' };
  const binding = /^binding:(\d+):(\d+)$/.exec(text);
  if (binding) return { kind: 'binding', collectionKey: Number(binding[1]), version: Number(binding[2]) };
  return text === 'module' ? { kind: 'module' } : null;
}
