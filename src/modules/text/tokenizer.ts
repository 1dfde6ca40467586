import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';

/** Turns a text into SentencePiece ids, exactly as the USE-lite reference does. */
export interface SentencePieceTokenizer {
  encode(text: string): number[];
}

/** A SentencePiece vocabulary as USE ships it: `[piece, score]` pairs, id = index. */
export type Vocabulary = Array<[string, number]>;

/** Reads `vocab.json` from a module directory and checks its shape. */
export async function readVocabulary(dir: string): Promise<Vocabulary> {
  const file = path.join(dir, 'vocab.json');
  const vocab: unknown = JSON.parse(await readFile(file, 'utf8'));
  // A few USE-lite pieces (":", "://", "▁:)") carry a null score; the reference adds it as 0.
  const ok = Array.isArray(vocab) && vocab.length > 0 && vocab.every((e) => Array.isArray(e) && typeof e[0] === 'string' && (typeof e[1] === 'number' || e[1] === null));
  if (!ok) throw new Error(`${file} is not a SentencePiece vocabulary (expected [[piece, score], ...])`);
  return vocab as Vocabulary;
}

/** Space-separated segments kept of a long text: at least this many ids, twice what USE-lite reads (128). */
export const MAX_SEGMENTS = 256;
/** Characters kept of a long text, so tokenizing one costs milliseconds, not minutes. */
const MAX_CHARS = 2048;

/**
 * The tokenizer of a USE-style module: the reference `Tokenizer` of
 * `@tensorflow-models/universal-sentence-encoder` (NFKC, "▁" word marks, Viterbi over the
 * vocabulary, consecutive unknowns merged) over the module's `vocab.json`. Using the reference
 * itself keeps ids identical to the published pipeline (see test/modules/tokenizer.test.ts).
 *
 * The reference is quadratic in the text's length (a 64 KB text takes minutes), so a long text is
 * cut first: to its first {@link MAX_SEGMENTS} space-separated segments, then {@link MAX_CHARS}
 * characters, at a space where there is one. No USE-lite vocabulary piece has "▁" past its first
 * character, so every space is a boundary of every segmentation and a text cut at a space gives
 * exactly the reference's first ids (tested). The graph reads only the first 128; those differ only
 * when the first 2048 characters make fewer than 128 ids (runs of unknown or unbroken characters).
 */
export async function loadTokenizer(dir: string): Promise<SentencePieceTokenizer> {
  const reference = new Tokenizer(await readVocabulary(dir));
  return {
    encode: (text) => reference.encode(text.length <= MAX_CHARS ? text : cutLongText(text.normalize('NFKC'))),
  };
}

/** The start of a long NFKC text, cut at a space (see loadTokenizer). */
function cutLongText(normalized: string): string {
  const text = normalized.split(' ', MAX_SEGMENTS).join(' ');
  if (text.length <= MAX_CHARS) return text;
  const space = text.lastIndexOf(' ', MAX_CHARS);
  let end = space > 0 ? space : MAX_CHARS;
  // Never split a surrogate pair.
  if (space <= 0 && /[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--;
  return text.slice(0, end);
}
