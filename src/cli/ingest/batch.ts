import { RequestFailed, type GraphQLClient } from './client.js';
import { isUnchanged, type DocumentInput } from './documents.js';

/** A document waiting to be sent, with the file line it came from. */
export interface Pending {
  line: number;
  doc: DocumentInput;
}

/** A line that failed, with the code and message that say why. */
export interface LineError {
  line: number;
  code: string;
  message: string;
}

export interface BatchOutcome {
  /** Lines written (created or replaced). */
  written: number;
  /** Lines skipped: the server already holds their id with the same text and metadata. */
  skipped: number;
  errors: LineError[];
}

const LOOKUP = `query IngestLookup($c: String!, $ids: [ID!]!) { documentsById(collection: $c, ids: $ids) { id text metadata } }`;
const UPSERT = `mutation IngestUpsert($c: String!, $d: [DocumentInput!]!) {
  upsertDocuments(collection: $c, documents: $d) { ids errors { index code message } }
}`;

/**
 * Whole-request errors that belong to some document of the batch (a value the server refuses
 * before looking at items, a batch over its limits): the batch is split in halves until the
 * offending lines stand alone. Any other whole-request error stops the run.
 */
const SPLITTABLE = new Set(['BAD_USER_INPUT', 'TOO_LARGE', 'GRAPHQL_VALIDATION_FAILED']);

interface StoredDoc {
  id: string;
  text: string;
  metadata: unknown;
}

/** Drops the documents the server already holds unchanged (only documents with ids from the file can be looked up). */
async function unchangedFiltered(client: GraphQLClient, collection: string, batch: Pending[]): Promise<Pending[]> {
  const ids = [...new Set(batch.flatMap((p) => (p.doc.id === undefined ? [] : [p.doc.id])))];
  if (ids.length === 0) return batch;
  let found: (StoredDoc | null)[];
  try {
    found = (await client.request<{ documentsById: (StoredDoc | null)[] }>(LOOKUP, { c: collection, ids })).documentsById;
  } catch (e) {
    if (e instanceof RequestFailed && SPLITTABLE.has(e.code)) return batch; // the upsert will say which line is at fault
    throw e;
  }
  const stored = new Map(found.flatMap((d) => (d ? [[d.id, d] as const] : [])));
  return batch.filter((p) => p.doc.id === undefined || !isUnchanged(stored.get(p.doc.id), p.doc));
}

/** Upserts documents; per-item errors map back to lines; splittable whole-request errors are bisected. */
async function upsert(client: GraphQLClient, collection: string, items: Pending[]): Promise<Omit<BatchOutcome, 'skipped'>> {
  if (items.length === 0) return { written: 0, errors: [] };
  try {
    const r = await client.request<{ upsertDocuments: { errors: { index: number; code: string; message: string }[] } }>(UPSERT, {
      c: collection,
      d: items.map((p) => p.doc),
    });
    const errors = r.upsertDocuments.errors.map((e) => ({ line: items[e.index]?.line ?? items[0]!.line, code: e.code, message: e.message }));
    return { written: items.length - errors.length, errors };
  } catch (e) {
    if (!(e instanceof RequestFailed) || !SPLITTABLE.has(e.code)) throw e;
    if (items.length === 1) return { written: 0, errors: [{ line: items[0]!.line, code: e.code, message: e.message }] };
    const mid = items.length >> 1;
    const a = await upsert(client, collection, items.slice(0, mid));
    const b = await upsert(client, collection, items.slice(mid));
    return { written: a.written + b.written, errors: [...a.errors, ...b.errors] };
  }
}

/**
 * Sends one batch: when `resume`, first asks `documentsById` for the batch's ids and skips the
 * documents stored with identical text and metadata; then upserts the rest. Throws RequestFailed
 * for errors that would fail every batch (authentication, a missing collection, an unreachable
 * or overloaded server after retries): the caller stops and reports.
 */
export async function sendBatch(client: GraphQLClient, collection: string, batch: Pending[], resume: boolean): Promise<BatchOutcome> {
  const todo = resume ? await unchangedFiltered(client, collection, batch) : batch;
  const { written, errors } = await upsert(client, collection, todo);
  return { written, skipped: batch.length - todo.length, errors };
}
