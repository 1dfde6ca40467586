/**
 * Lets libraries that add `<style>` elements at run time (monaco, radix) do so under a strict
 * Content-Security-Policy: the server puts the page's per-response nonce in
 * `<meta name="csp-nonce">`, and every `<style>` element created afterwards carries it, so
 * `style-src 'self' 'nonce-…'` accepts exactly those and no injected markup. Import it first.
 */
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

if (nonce) {
  const createElement = document.createElement.bind(document) as (tag: string, options?: ElementCreationOptions) => HTMLElement;
  document.createElement = ((tag: string, options?: ElementCreationOptions) => {
    const element = createElement(tag, options);
    if (tag.toLowerCase() === 'style') element.nonce = nonce;
    return element;
  }) as typeof document.createElement;
}

export {};
