import { useEffect, useState } from 'react';
import { gql } from '../api/client';
import { DOCUMENTS_BY_ID } from '../api/queries';
import type { Doc } from '../api/types';

/** Documents read for hovering, by collection and id (a map shows the same points many times). */
const cache = new Map<string, Doc | null>();

/** One document by id, read once and remembered (for the map's hover text); undefined while it loads. */
export function useDocument(collection: string, id: string | null): Doc | null | undefined {
  const key = id === null ? null : `${collection}\u0000${id}`;
  const [, setLoaded] = useState(0);
  useEffect(() => {
    if (key === null || cache.has(key)) return;
    let live = true;
    gql<{ documentsById: (Doc | null)[] }>(DOCUMENTS_BY_ID, { collection, ids: [id] }).then(
      (r) => {
        cache.set(key, r.documentsById[0] ?? null);
        if (live) setLoaded((n) => n + 1);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [collection, id, key]);
  return key === null ? null : cache.get(key);
}
