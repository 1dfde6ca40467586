import { useEffect, useRef, useState } from 'react';

/**
 * Asks for the API key when the server runs with SEMHUB_API_KEYS. The key stays in this tab's
 * sessionStorage and is sent as `Authorization: Bearer <key>`; a read key sees everything.
 */
export function KeyPrompt({ problem, onKey }: { problem: string | null; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <section className="key-prompt" aria-labelledby="key-title">
      <h2 id="key-title">This semhub needs an API key</h2>
      <p>
        The server runs with API keys (SEMHUB_API_KEYS). Enter yours: it is kept for this tab only and sent as a bearer token. A
        read key can look at everything; renaming, merging, applying labels and training need a write key.
      </p>
      {problem && (
        <p role="alert" className="message error">
          {problem}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <label htmlFor="api-key">API key</label>
        <input id="api-key" ref={input} type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
        <button type="submit">Use key</button>
      </form>
    </section>
  );
}
