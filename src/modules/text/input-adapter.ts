import type { ModelInput } from './model-input.js';

/** A text ready to batch: its estimated cost in tokens, what batching groups by. */
export interface PreparedText {
  text: string;
  /** Estimated tokens (or characters, for string-input graphs): rows of similar length batch together. */
  length: number;
}

/** Turns texts into batch rows and rows into one ModelInput. */
export interface InputAdapter {
  prepare(text: string): PreparedText;
  pack(rows: readonly PreparedText[]): ModelInput;
}

/**
 * Characters per SentencePiece token, for the estimate the queue batches by. USE-lite's 8k
 * vocabulary cuts STS-B's English sentences into about one token per 4.4 characters (58 chars,
 * 13 tokens on average); 4 keeps the estimate on the long side.
 */
const CHARS_PER_TOKEN = 4;

/**
 * SentencePiece modules: texts travel as text and are tokenized in the embedding worker; the
 * queue groups them by an estimate of their token count (characters / {@link CHARS_PER_TOKEN},
 * capped at `maxTokens`, the most a graph reads). The worker sorts each batch by true token
 * counts and pads every run only to its own longest text.
 */
export function tokenEstimateAdapter(maxTokens = 128): InputAdapter {
  return { prepare: (text) => ({ text, length: Math.min(maxTokens, Math.ceil(text.length / CHARS_PER_TOKEN)) }), pack: packTexts };
}

/** String-input graphs: the text itself; its length in characters stands in for its cost. */
export function textAdapter(): InputAdapter {
  return { prepare: (text) => ({ text, length: text.length }), pack: packTexts };
}

/** Every adapter's batch: the texts themselves (tokenized where the model runs). */
function packTexts(rows: readonly PreparedText[]): ModelInput {
  return { kind: 'text', texts: rows.map((r) => r.text) };
}
