import { useEffect, useState } from 'react';

/** A console location, from the URL's hash (`#/map/reviews/<clustering id>`): the page and its path parts. */
export interface Route {
  page: 'collections' | 'collection' | 'map' | 'review' | 'classify';
  /** The decoded path parts after the page name (collection, clustering id). */
  params: string[];
}

const PAGES = new Set<Route['page']>(['collections', 'collection', 'map', 'review', 'classify']);

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const page = parts[0] as Route['page'] | undefined;
  return page && PAGES.has(page) ? { page, params: parts.slice(1) } : { page: 'collections', params: [] };
}

/** The hash link of a page with its parameters, each encoded. */
export function href(page: Route['page'], ...params: (string | null | undefined)[]): string {
  return `#/${[page, ...params.filter((p): p is string => Boolean(p)).map(encodeURIComponent)].join('/')}`;
}

/** Goes to a page (adds a history entry, so Back works). */
export function navigate(page: Route['page'], ...params: (string | null | undefined)[]): void {
  window.location.hash = href(page, ...params);
}

/** The current route, following hash changes (links, Back, navigate()). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
