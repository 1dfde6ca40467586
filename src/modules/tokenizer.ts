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

/**
 * The tokenizer of a USE-style module: the reference `Tokenizer` of
 * `@tensorflow-models/universal-sentence-encoder` (NFKC, "▁" word marks, Viterbi over the
 * vocabulary, consecutive unknowns merged) over the module's `vocab.json`. Using the reference
 * itself keeps ids identical to the published pipeline (see test/modules/tokenizer.test.ts).
 */
export async function loadTokenizer(dir: string): Promise<SentencePieceTokenizer> {
  return new Tokenizer(await readVocabulary(dir));
}
