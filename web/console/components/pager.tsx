import { useState } from 'react';
import type { PageInfo } from '../api/types';

/**
 * Relay cursor paging: the `after` cursor of the page shown and the cursors of the pages before
 * it (for Previous). Reset it (a new key on the component) when the filter changes.
 */
export function useCursorPages() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1] ?? null;
  return {
    after,
    page: stack.length,
    next: (pageInfo: PageInfo) => pageInfo.endCursor && setStack((s) => [...s, pageInfo.endCursor]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([null]),
  };
}

/** Previous / Next buttons with "page n, shown of total". */
export function Pager({ pages, pageInfo, shown, total, label }: { pages: ReturnType<typeof useCursorPages>; pageInfo?: PageInfo; shown: number; total?: number; label: string }) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={pages.previous} disabled={pages.page <= 1}>
        Previous
      </button>
      <span>
        page {pages.page} · {shown} shown{total === undefined ? '' : ` of ${total}`}
      </span>
      <button type="button" onClick={() => pageInfo && pages.next(pageInfo)} disabled={!pageInfo?.hasNextPage}>
        Next
      </button>
    </nav>
  );
}
