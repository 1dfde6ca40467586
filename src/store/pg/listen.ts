/**
 * The PostgreSQL change feed (api/changes.ts): one dedicated connection, outside the pool, that
 * `LISTEN`s on semhub_changes and hands each notice to the listeners. Opened on the first
 * subscription; a lost connection is reopened after a pause (growing to 5 s) for as long as the
 * store is open, and the index manager's poll covers whatever was sent meanwhile.
 */
import pg from 'pg';
import { CHANGE_CHANNEL, parseChangeNotice, type ChangeNotice } from '../api/changes.js';

export interface ChangeListener {
  onChange(listener: (notice: ChangeNotice) => void): () => void;
  close(): Promise<void>;
}

export function changeListener(databaseUrl: string): ChangeListener {
  const listeners = new Set<(notice: ChangeNotice) => void>();
  let client: pg.Client | null = null;
  let started = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let pause = 100;

  const reconnectLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, pause);
    retry.unref();
    pause = Math.min(pause * 2, 5000);
  };

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl, application_name: 'semhub-listen' });
    client = c;
    let dropped = false;
    const drop = () => {
      if (dropped) return;
      dropped = true;
      if (client === c) client = null;
      void c.end().catch(() => undefined);
      reconnectLater();
    };
    c.on('error', drop);
    c.on('end', drop);
    c.on('notification', (msg) => {
      const notice = msg.channel === CHANGE_CHANNEL ? parseChangeNotice(msg.payload) : null;
      if (!notice) return;
      for (const l of listeners) {
        try {
          l(notice);
        } catch {
          // a listener's failure is its own; the others still hear
        }
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      pause = 100;
      if (closed) await c.end().catch(() => undefined);
    } catch {
      drop();
    }
  };

  return {
    onChange(listener) {
      listeners.add(listener);
      if (!started) {
        started = true;
        void connect();
      }
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      listeners.clear();
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
