/**
 * Change notifications: an optional capability of a Store that says, as soon as it knows, that a
 * collection's change sequence moved (a write committed, by this process or another). It only
 * wakes the reader: what changed is read from `changesSince`, so a missed notification loses
 * nothing a poll of `changesSince` does not recover (services/index-manager.ts polls too).
 * PostgreSQL: every document write sends `NOTIFY semhub_changes, '<collection key>:<seq>'` inside
 * its transaction (delivered on commit, to every process), heard on one dedicated `LISTEN`
 * connection that reconnects when lost. SQLite (one process per data directory) has none.
 */

/** One notification: the collection's sequence reached at least `seq`. */
export interface ChangeNotice {
  collectionKey: number;
  seq: number;
}

export interface ChangeFeed {
  /** Calls `listener` for every notice from now on; returns the unsubscribe function. */
  onChange(listener: (notice: ChangeNotice) => void): () => void;
}

/** The PostgreSQL channel that carries change notices. */
export const CHANGE_CHANNEL = 'semhub_changes';

/** Parses a notice payload `<collection key>:<seq>`; null when malformed. */
export function parseChangeNotice(payload: string | undefined): ChangeNotice | null {
  const m = /^(\d+):(\d+)$/.exec(payload ?? '');
  return m ? { collectionKey: Number(m[1]), seq: Number(m[2]) } : null;
}
