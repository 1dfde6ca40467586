import { packTokens, type ModelInput } from './model-input.js';
import type { SentencePieceTokenizer } from './tokenizer.js';

/** A text ready to batch: its cost in tokens (what batching groups by) and what the graph takes. */
export interface PreparedText {
  text: string;
  /** Tokens for sparse models, characters for text models: rows of similar length batch together. */
  length: number;
  tokens?: number[];
}

/** Turns texts into batch rows and rows into one ModelInput. */
export interface InputAdapter {
  prepare(text: string): PreparedText;
  pack(rows: readonly PreparedText[]): ModelInput;
}

/** USE-style input: SentencePiece ids from the module's tokenizer, packed as sparse rows. */
export function sparseAdapter(tokenizer: SentencePieceTokenizer): InputAdapter {
  return {
    prepare(text) {
      const tokens = tokenizer.encode(text);
      return { text, length: tokens.length, tokens };
    },
    pack: (rows) => packTokens(rows.map((r) => r.tokens ?? [])),
  };
}

/** String-input graphs: the text itself; its length in characters stands in for its cost. */
export function textAdapter(): InputAdapter {
  return {
    prepare: (text) => ({ text, length: text.length }),
    pack: (rows) => ({ kind: 'text', texts: rows.map((r) => r.text) }),
  };
}
