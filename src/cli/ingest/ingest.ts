import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { flag, type Args } from '../args.js';
import { sendBatch, type LineError, type Pending } from './batch.js';
import { GraphQLClient, RequestFailed } from './client.js';
import { toDocument, type FieldMapping } from './documents.js';
import { Progress, type Counts } from './progress.js';
import { formatOf, readRecords, type InputFormat, type ReadPosition } from './records.js';

export const INGEST_USAGE = `semhub ingest <collection> <file.jsonl|file.csv> [options]
  --text-field text        field holding the document text
  --id-field id            field holding the document id (documents without one get a server id and cannot be resumed)
  --metadata-fields a,b    fields copied into metadata (default: every field but text and id)
  --url http://127.0.0.1:4000/graphql
  --api-key KEY            (or SEMHUB_API_KEY) a write key; --create needs an admin key
  --batch 256              documents per request
  --concurrency 2          requests in flight
  --create                 create the collection when it does not exist
  --format jsonl|csv       when the file name does not say
  --progress-interval 5000 ms between progress lines when stderr is not a terminal (0: every batch)
  --errors-out FILE        write every failed line as JSON lines
  --json                   print the summary as one JSON object on stdout`;

/** Errors listed on stderr at the end; the rest are counted (all of them go to --errors-out / --json). */
const MAX_LISTED = 1000;

interface Options {
  collection: string;
  file: string;
  format: InputFormat;
  mapping: FieldMapping;
  url: string;
  apiKey: string | undefined;
  batch: number;
  concurrency: number;
  create: boolean;
  progressInterval: number;
  errorsOut: string | undefined;
  json: boolean;
}

class UsageError extends Error {}

function intFlag(args: Args, name: string, def: number, min: number, max: number): number {
  const raw = flag(args, name);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function options(args: Args): Options {
  const [collection, file, ...extra] = args.positionals;
  if (!collection || !file || extra.length) throw new UsageError('expected a collection and a file');
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const given = flag(args, 'format');
  const format = (given ?? formatOf(file)) as InputFormat | null;
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`cannot tell the format of ${path.basename(file)}: name it .jsonl or .csv, or pass --format jsonl|csv`);
  const fields = flag(args, 'metadata-fields');
  return {
    collection,
    file,
    format,
    mapping: {
      textField: flag(args, 'text-field') ?? 'text',
      idField: flag(args, 'id-field') ?? 'id',
      metadataFields: fields === undefined ? null : fields.split(',').map((f) => f.trim()).filter(Boolean),
      convertScalars: format === 'csv',
    },
    url: flag(args, 'url') ?? 'http://127.0.0.1:4000/graphql',
    apiKey: flag(args, 'api-key') ?? (process.env.SEMHUB_API_KEY || undefined),
    batch: intFlag(args, 'batch', 256, 1, 100_000),
    concurrency: intFlag(args, 'concurrency', 2, 1, 64),
    create: args.flags.get('create') === true,
    progressInterval: intFlag(args, 'progress-interval', 5000, 0, 86_400_000),
    errorsOut: flag(args, 'errors-out'),
    json: args.flags.has('json'),
  };
}

/** Checks the collection exists (creating it with --create); throws RequestFailed when it cannot. */
async function ensureCollection(client: GraphQLClient, name: string, create: boolean): Promise<void> {
  const found = await client.request<{ collection: { name: string } | null }>('query IngestCollection($n: String!) { collection(name: $n) { name } }', { n: name });
  if (found.collection) return;
  if (!create) throw new RequestFailed('NOT_FOUND', `collection "${name}" does not exist: create it, or pass --create`);
  await client.request('mutation IngestCreate($n: String!) { createCollection(name: $n) { name } }', { n: name });
}

/**
 * `semhub ingest`: streams a JSONL or CSV file through the GraphQL API of a running server in
 * batches, with a progress bar (or progress lines), resumable (documents already stored unchanged
 * are skipped), and a summary of every failed line at the end. Exit code 1 when any line failed
 * or the run stopped early, 2 for usage errors.
 */
export async function ingest(args: Args): Promise<void> {
  let opts: Options;
  try {
    opts = options(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`semhub ingest: ${e.message}\n\n${INGEST_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const client = new GraphQLClient({ url: opts.url, apiKey: opts.apiKey });
  const counts: Counts = { read: 0, written: 0, skipped: 0, failed: 0 };
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  const progress = new Progress(counts, position, Boolean(process.stderr.isTTY), opts.progressInterval);
  const errors: LineError[] = [];
  let stopped: { reason: string; fromLine: number } | null = null;
  let withoutId = 0;
  const interrupt = () => (stopped ??= { reason: 'interrupted (SIGINT)', fromLine: counts.read + 1 });
  process.once('SIGINT', interrupt);

  const inFlight = new Set<Promise<void>>();
  const send = async (batch: Pending[]) => {
    const run = sendBatch(client, opts.collection, batch, true).then(
      (r) => {
        counts.written += r.written;
        counts.skipped += r.skipped;
        counts.failed += r.errors.length;
        errors.push(...r.errors);
        progress.update(opts.progressInterval === 0);
      },
      (e: unknown) => {
        const reason = e instanceof RequestFailed ? `${e.code}: ${e.message}` : String(e);
        if (!stopped || batch[0]!.line < stopped.fromLine) stopped = { reason, fromLine: batch[0]!.line };
      },
    );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    if (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
  };

  try {
    await ensureCollection(client, opts.collection, opts.create);
    let batch: Pending[] = [];
    for await (const item of readRecords(opts.file, opts.format, position)) {
      if (stopped) break;
      counts.read++;
      const mapped = item.record ? toDocument(item.record, opts.mapping) : { error: item.error! };
      if ('error' in mapped) {
        errors.push({ line: item.line, ...mapped.error });
        counts.failed++;
      } else {
        if (mapped.doc.id === undefined) withoutId++;
        batch.push({ line: item.line, doc: mapped.doc });
        if (batch.length >= opts.batch) await send(batch.splice(0));
      }
      progress.update();
    }
    if (!stopped && batch.length) await send(batch);
    await Promise.all(inFlight);
  } catch (e) {
    stopped ??= { reason: e instanceof RequestFailed ? `${e.code}: ${e.message}` : (e as Error).message, fromLine: counts.read + 1 };
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
  progress.update(true);
  progress.done();
  report(opts, counts, errors, stopped, withoutId, progress.elapsed());
  process.exitCode = counts.failed > 0 || stopped ? 1 : 0;
}

function report(opts: Options, counts: Counts, errors: LineError[], stopped: { reason: string; fromLine: number } | null, withoutId: number, seconds: number): void {
  errors.sort((a, b) => a.line - b.line);
  if (opts.errorsOut) writeFileSync(opts.errorsOut, errors.map((e) => JSON.stringify(e)).join('\n') + (errors.length ? '\n' : ''));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`semhub ingest: ${counts.read} records from ${path.basename(opts.file)} into "${opts.collection}" in ${seconds.toFixed(1)} s: ${counts.written} written, ${counts.skipped} unchanged (skipped), ${counts.failed} failed`);
  for (const e of errors.slice(0, MAX_LISTED)) log(`  line ${e.line}: ${e.code}: ${e.message}`);
  if (errors.length > MAX_LISTED) log(`  … and ${errors.length - MAX_LISTED} more${opts.errorsOut ? ` (all in ${opts.errorsOut})` : ' (--errors-out FILE lists them all)'}`);
  if (withoutId) log(`note: ${withoutId} documents had no "${opts.mapping.idField}" field and got server ids: a rerun cannot recognise them and would add them again`);
  if (stopped) log(`stopped: lines from ${stopped.fromLine} on were not all sent: ${stopped.reason}\nrerun the same command to resume: documents already stored unchanged are skipped`);
  if (opts.json) {
    console.log(JSON.stringify({ collection: opts.collection, file: opts.file, ...counts, seconds: Math.round(seconds * 100) / 100, stopped, errors }));
  }
}
