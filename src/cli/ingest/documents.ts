import { isDeepStrictEqual } from 'node:util';

/** How records map to documents (the ingest command's --text-field, --id-field, --metadata-fields). */
export interface FieldMapping {
  textField: string;
  idField: string;
  /** Fields copied into metadata; null copies every field but the text and id fields. */
  metadataFields: readonly string[] | null;
  /** CSV cells are strings: numbers and true/false that round-trip exactly are converted. */
  convertScalars: boolean;
}

/** A document as upsertDocuments takes it. */
export interface DocumentInput {
  id?: string;
  text: string;
  metadata?: Record<string, unknown>;
}

export type Mapped = { doc: DocumentInput } | { error: { code: string; message: string } };

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A CSV cell as JSON: "5" → 5, "4.5" → 4.5, "true" → true; "05", "1e3", "" and the rest stay strings. */
export function scalarOf(cell: string): unknown {
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(cell) && String(Number(cell)) === cell) return Number(cell);
  return cell;
}

/** Maps one record to a document, or to the reason it cannot be one. */
export function toDocument(record: Record<string, unknown>, m: FieldMapping): Mapped {
  const text = own(record, m.textField) ? record[m.textField] : undefined;
  if (typeof text !== 'string' || !text.trim()) {
    const what = text === undefined ? 'is missing' : typeof text !== 'string' ? `is a ${text === null ? 'null' : typeof text}, not a string` : 'is empty';
    return { error: { code: 'BAD_USER_INPUT', message: `the text field "${m.textField}" ${what}` } };
  }
  const doc: DocumentInput = { text };
  const id = own(record, m.idField) ? record[m.idField] : undefined;
  if (typeof id === 'number' && Number.isFinite(id)) doc.id = String(id);
  else if (typeof id === 'string' && id !== '') doc.id = id;
  else if (id !== undefined && id !== null && id !== '') return { error: { code: 'BAD_USER_INPUT', message: `the id field "${m.idField}" must be a string or a number` } };
  const names = m.metadataFields ?? Object.keys(record).filter((k) => k !== m.textField && k !== m.idField);
  const metadata: Record<string, unknown> = {};
  for (const name of names) {
    if (!own(record, name)) continue;
    const v = record[name];
    if (m.convertScalars && v === '') continue; // an empty CSV cell is no value
    Object.defineProperty(metadata, name, { value: m.convertScalars && typeof v === 'string' ? scalarOf(v) : v, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(metadata).length) doc.metadata = metadata;
  return { doc };
}

/** True when a stored document already holds this text and metadata (so a rerun may skip it). */
export function isUnchanged(stored: { text: string; metadata: unknown } | null | undefined, doc: DocumentInput): boolean {
  if (!stored || stored.text !== doc.text) return false;
  const a = stored.metadata ?? {};
  const b = doc.metadata ?? {};
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
