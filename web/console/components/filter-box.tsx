import { useState } from 'react';

/** Parses a filter box's text: null for empty, the object, or an error message. */
export function parseFilter(text: string): { filter: Record<string, unknown> | null } | { problem: string } {
  if (!text.trim()) return { filter: null };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: 'A filter is a JSON object, e.g. {"stars": {"gte": 4}}' };
    return { filter: value as Record<string, unknown> };
  } catch (e) {
    return { problem: `The filter is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The metadata filter, in semhub's filter language (a JSON object): `{"stars": 5}`,
 * `{"stars": {"gte": 4}}` (gt gte lt lte ne), `{"lang": {"in": ["en", "de"]}}`, `{"and": [...]}`, `{"or": [...]}`.
 */
export function FilterBox({ onApply }: { onApply: (filter: Record<string, unknown> | null) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const apply = () => {
    const parsed = parseFilter(text);
    if ('problem' in parsed) return setProblem(parsed.problem);
    setProblem(null);
    onApply(parsed.filter);
  };
  return (
    <form className="filter" onSubmit={(e) => (e.preventDefault(), apply())}>
      <label htmlFor="filter">Filter (metadata, JSON)</label>
      <input id="filter" value={text} spellCheck={false} placeholder='{"stars": {"gte": 4}}  ·  {"lang": {"in": ["en", "de"]}}  ·  {"and": [...]}' onChange={(e) => setText(e.target.value)} />
      <button type="submit">Apply filter</button>
      {problem && (
        <span role="alert" className="message error">
          {problem}
        </span>
      )}
    </form>
  );
}
