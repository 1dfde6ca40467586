/**
 * One FTS5 table per collection, `documents_fts_c<key>`, so BM25's statistics (document count,
 * average length, how many documents hold a term) are the collection's own: a collection's keyword
 * ranking never moves because another collection was written, and a query only walks the
 * postings of its own collection. Each table has external content (rowid = documents.key; it
 * stores only the index), porter stemming over unicode61 tokens with diacritics folded, and
 * indexes LIVE documents only. Triggers keep it in step inside the transaction of each documents
 * write (insert, upsert, soft delete, revive); an external-content 'delete' must repeat exactly
 * the text that was indexed, which the triggers guarantee. Collections are created and dropped
 * at run time, so this DDL lives here and not in migrations/ (0005 removed the old shared table).
 */
import type Database from 'better-sqlite3';
import { invariant } from '../../errors.js';

/** The FTS5 table of a collection (the key is an integer: nothing here is user text). */
export function keywordTable(collectionKey: number): string {
  invariant(Number.isSafeInteger(collectionKey) && collectionKey > 0, `bad collection key ${collectionKey}`);
  return `documents_fts_c${collectionKey}`;
}

function ddl(collectionKey: number): string[] {
  const t = keywordTable(collectionKey);
  const k = collectionKey;
  return [
    `CREATE VIRTUAL TABLE ${t} USING fts5(text, content = 'documents', content_rowid = 'key', tokenize = 'porter unicode61 remove_diacritics 2')`,
    `INSERT INTO ${t} (rowid, text) SELECT key, text FROM documents WHERE collection_key = ${k} AND deleted_at IS NULL`,
    `CREATE TRIGGER ${t}_insert AFTER INSERT ON documents
     WHEN new.collection_key = ${k} AND new.deleted_at IS NULL
     BEGIN INSERT INTO ${t} (rowid, text) VALUES (new.key, new.text); END`,
    `CREATE TRIGGER ${t}_delete AFTER DELETE ON documents
     WHEN old.collection_key = ${k} AND old.deleted_at IS NULL
     BEGIN INSERT INTO ${t} (${t}, rowid, text) VALUES ('delete', old.key, old.text); END`,
    // Re-index only when what is indexed changes (the text, the key, liveness): re-ingesting the
    // same text costs nothing here.
    `CREATE TRIGGER ${t}_update AFTER UPDATE OF key, text, deleted_at ON documents
     WHEN old.collection_key = ${k} AND (old.key IS NOT new.key OR old.text IS NOT new.text OR (old.deleted_at IS NULL) <> (new.deleted_at IS NULL))
     BEGIN
       INSERT INTO ${t} (${t}, rowid, text) SELECT 'delete', old.key, old.text WHERE old.deleted_at IS NULL;
       INSERT INTO ${t} (rowid, text) SELECT new.key, new.text WHERE new.deleted_at IS NULL;
     END`,
  ];
}

const TRIGGERS = ['insert', 'delete', 'update'];

/** The names of the keyword tables and triggers in the database. */
function keywordObjects(client: Database.Database): Set<string> {
  return new Set(client.prepare(`SELECT name FROM sqlite_master WHERE name GLOB 'documents_fts_c*'`).pluck().all() as string[]);
}

/** True when the collection's table and all three of its triggers are among `objects`. */
function complete(objects: Set<string>, collectionKey: number): boolean {
  const t = keywordTable(collectionKey);
  return objects.has(t) && TRIGGERS.every((x) => objects.has(`${t}_${x}`));
}

/** Creates the keyword index of a collection and fills it from its live documents. Call inside the caller's transaction. */
export function createKeywordIndex(client: Database.Database, collectionKey: number): void {
  for (const statement of ddl(collectionKey)) client.exec(statement);
}

/** Drops a collection's keyword index and its triggers. Call inside the caller's transaction, before its documents go. */
export function dropKeywordIndex(client: Database.Database, collectionKey: number): void {
  const t = keywordTable(collectionKey);
  for (const trigger of TRIGGERS) client.exec(`DROP TRIGGER IF EXISTS ${t}_${trigger}`);
  client.exec(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * Gives every collection a complete keyword index: a database from before per-collection indexes
 * gets them filled from its documents; one whose triggers a migration dropped (a rebuilt
 * `documents` table) is rebuilt. Each in its own transaction.
 */
export function ensureKeywordIndexes(client: Database.Database): void {
  const keys = client.prepare('SELECT key FROM collections ORDER BY key').pluck().all() as number[];
  const objects = keywordObjects(client);
  // one read at start-up; a write transaction only for what is missing (checked again inside it:
  // another process opening the same file may have just built it)
  for (const key of keys.filter((k) => !complete(objects, k))) {
    client.transaction(() => {
      if (complete(keywordObjects(client), key)) return;
      dropKeywordIndex(client, key);
      createKeywordIndex(client, key);
    }).immediate();
  }
}
