import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, ensureWebBuilt, launchChromium, openPage, type PageProblems } from '../support/browser.js';
import { describeIfPresent } from '../support/requires.js';
import { gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';
import { DOCUMENTS } from './fixtures.js';

const READ = 'console-read-key-0123456789';
const ADMIN = 'console-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN}` };
const textOf = new Map(DOCUMENTS.map((d) => [d.id, d.text]));

let server: ServerProcess;
let browser: Browser;

/** Network failures the browser logs as console errors when a request is refused on purpose (no key, a read key). */
const REFUSED = /^Failed to load resource: the server responded with a status of (401|403)/;

/** No CSP violation, no uncaught error, and no console error but the refusals a missing or read key earns. */
function expectOnlyRefusals(problems: PageProblems): void {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
  expect(problems.consoleErrors.filter((e) => !REFUSED.test(e))).toEqual([]);
}

describeIfPresent(chromiumMissing(), 'the review console in chromium', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startServerProcess({ env: { SEMHUB_API_KEYS: `${READ}:read,${ADMIN}:admin` } }), launchChromium()]);
    const created = await gql(server.url, 'mutation { createCollection(name: "reviews") { name } }', undefined, admin);
    expect(created.errors).toBeUndefined();
    const upserted = await gql(server.url, 'mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "reviews", documents: $d) { upserted } }', { d: DOCUMENTS }, admin);
    expect(upserted.data?.upsertDocuments.upserted).toBe(DOCUMENTS.length);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('serves the console and its bundle under a strict Content-Security-Policy, no CDN', async () => {
    const res = await fetch(`${server.base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<script type="module" src="/assets/console.js">');
    const js = await fetch(`${server.base}/assets/console.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${server.base}/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  describe('with a write key', () => {
    let page: Page;
    let problems: PageProblems;
    let clusteringId = '';

    beforeAll(async () => {
      ({ page, problems } = await openPage(browser, ADMIN));
    });

    it('shows the collections with their counts and index health', async () => {
      await page.goto(`${server.base}/`);
      const row = page.locator('tr[data-collection="reviews"]');
      await expect.poll(() => row.locator('[data-field="documentCount"]').textContent()).toBe('48');
      expect(await row.locator('[data-field="indexedCount"]').textContent()).toBe('48');
      expect(await row.getByText('healthy').count()).toBe(1);
    });

    it('pages, filters and searches a collection; hits show score and text', async () => {
      await page.getByRole('link', { name: 'reviews', exact: true }).click();
      await page.getByRole('caption').filter({ hasText: '48 documents' }).waitFor();
      expect(await page.locator('table.documents tbody tr').count()).toBe(20);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('page 2 ·').waitFor();
      await page.getByLabel('Filter (metadata, JSON)').fill('{"source": "web"}');
      await page.getByRole('button', { name: 'Apply filter' }).click();
      await page.getByRole('caption').filter({ hasText: '24 documents matching the filter' }).waitFor();
      await page.getByLabel('Search', { exact: true }).fill('charging my phone');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const hits = page.locator('table.hits tbody tr');
      await hits.first().waitFor();
      expect(await hits.count()).toBe(10);
      expect(Number(await hits.first().locator('td.score').textContent())).toBeGreaterThan(0.3);
      expect(await hits.first().textContent()).toMatch(/battery|charg/i);
    });

    it('starts a clustering, follows its job and draws one point per document', async () => {
      await page.goto(`${server.base}/#/map/reviews`);
      await page.getByLabel('clusters (k)').fill('4');
      await page.getByRole('button', { name: 'Start clustering' }).click();
      await page.waitForURL(/#\/map\/reviews\/[^/]+$/);
      clusteringId = decodeURIComponent(page.url().split('/').pop()!);
      await page.locator(`.map[data-points-drawn="${DOCUMENTS.length}"]`).waitFor({ timeout: 90_000 });
      expect(await page.evaluate(() => (globalThis as { semhubMap?: { pointsDrawn: number } }).semhubMap?.pointsDrawn)).toBe(DOCUMENTS.length);
      expect(await page.locator('table.clusters tbody tr').count()).toBe(4);
    });

    it('shows the text of the point under the pointer, and opens its cluster on click', async () => {
      const canvas = (await page.locator('.map-canvas canvas').boundingBox())!;
      const at = (await page.evaluate((id) => (globalThis as { semhubMap?: { screenPosition: (d: string) => [number, number] | null } }).semhubMap!.screenPosition(id), 'kitchen-0'))!;
      await page.mouse.move(canvas.x + at[0], canvas.y + at[1], { steps: 4 });
      const tooltip = page.getByRole('tooltip');
      await expect.poll(async () => (await tooltip.textContent()) ?? '', { timeout: 10_000 }).not.toMatch(/…$/);
      const shown = /· ([a-z]+-\d+)/.exec((await tooltip.textContent())!)![1]!;
      expect(await tooltip.textContent()).toContain(textOf.get(shown));
      await page.mouse.click(canvas.x + at[0], canvas.y + at[1]);
      const panel = page.locator('aside.cluster-panel');
      await panel.locator('[data-field="label"]').waitFor();
      const clusterId = /Cluster (\d+)/.exec((await panel.getByRole('heading').textContent())!)![1]!;
      const truth = await gql(server.url, 'query($id: ID!, $c: ID!) { clustering(id: $id) { cluster(id: $c) { label size keywords } } }', { id: clusteringId, c: clusterId }, admin);
      const cluster = truth.data.clustering.cluster;
      expect(await panel.locator('[data-field="label"]').textContent()).toBe(cluster.label);
      expect(await panel.locator('[data-field="size"]').textContent()).toBe(String(cluster.size));
      expect(await panel.locator('.keyword').first().textContent()).toBe(cluster.keywords[0]);
      expect(await panel.locator('table.hits tbody tr').count()).toBeGreaterThan(0);
      await panel.getByRole('caption').filter({ hasText: `Documents (${cluster.size})` }).waitFor();
    });

    it('highlights search hits on the map', async () => {
      await page.getByLabel('Highlight search hits').fill('our flight was delayed at the airport');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.locator('.map[data-highlighted="10"]').waitFor();
    });

    it('works by keyboard: Tab reaches a cluster in the table and Enter opens its panel; Enter submits the search box', async () => {
      const panel = page.locator('aside.cluster-panel');
      const openNow = (await panel.count()) ? /Cluster (\S+)/.exec((await panel.getByRole('heading').first().textContent())!)?.[1] : undefined;
      await page.getByRole('heading', { name: /^Cluster map/ }).click();
      let target: string | null = null;
      for (let i = 0; i < 80 && target === null; i++) {
        await page.keyboard.press('Tab');
        const at = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { closest: (s: string) => { getAttribute: (a: string) => string | null } | null } | null } }).document.activeElement?.closest('table.clusters tbody tr')?.getAttribute('data-cluster') ?? null);
        if (at !== null && at !== openNow) target = at;
      }
      expect(target).not.toBeNull();
      await page.keyboard.press('Enter');
      await panel.getByRole('heading', { name: new RegExp(`Cluster ${target}\\b`) }).waitFor();
      await panel.locator('[data-field="label"]').waitFor();
      const box = page.getByLabel('Highlight search hits');
      await box.fill('the blender is loud');
      await box.press('Enter');
      await page.getByRole('caption').filter({ hasText: 'hits for “the blender is loud”' }).waitFor();
    });

    it('renames a cluster (the automatic label is kept), applies the labels and trains a head with its metrics', async () => {
      await page.getByRole('link', { name: 'Review these clusters' }).click();
      const rows = page.locator('table.review tbody tr');
      await rows.first().waitFor();
      const clusterOfKitchen = (await gql(server.url, 'query($id: ID!) { clustering(id: $id) { points(first: 100) { nodes { documentId cluster } } } }', { id: clusteringId }, admin)).data.clustering.points.nodes.find(
        (p: { documentId: string }) => p.documentId === 'kitchen-0',
      ).cluster as string;
      await page.getByLabel(`Label of cluster ${clusterOfKitchen}`).fill('Kitchen gadgets');
      await page.locator(`tr[data-cluster="${clusterOfKitchen}"]`).getByRole('button', { name: 'Rename' }).click();
      await page.locator(`tr[data-cluster="${clusterOfKitchen}"]`).getByText(/^automatic:/).waitFor();
      const renamed = await gql(server.url, 'query($id: ID!, $c: ID!) { clustering(id: $id) { cluster(id: $c) { label autoLabel reviewed } } }', { id: clusteringId, c: clusterOfKitchen }, admin);
      expect(renamed.data.clustering.cluster).toMatchObject({ label: 'Kitchen gadgets', reviewed: true });
      expect(renamed.data.clustering.cluster.autoLabel).not.toBe('Kitchen gadgets');

      await page.getByLabel('Metadata key', { exact: true }).fill('topic');
      await page.getByRole('button', { name: 'Apply labels' }).click();
      await page.getByRole('status').filter({ hasText: 'documents updated' }).waitFor();
      const doc = await gql(server.url, 'query { documentsById(collection: "reviews", ids: ["kitchen-0"]) { metadata } }', undefined, admin);
      expect(doc.data.documentsById[0].metadata.topic).toBe('Kitchen gadgets');

      await page.getByLabel('slice by (metadata key, optional)').fill('source');
      await page.getByRole('button', { name: 'Train on “topic”' }).click();
      const metrics = page.locator('section.metrics');
      await metrics.locator('[data-field="accuracy"]').waitFor({ timeout: 60_000 });
      expect(await metrics.locator('[data-field="accuracy"]').textContent()).toMatch(/^\d+(\.\d)?%$/);
      expect(Number(await metrics.locator('[data-field="macroF1"]').textContent())).toBeGreaterThan(0);
      const head = (await gql(server.url, 'query { classifier(collection: "reviews", name: "topic-head") { labels metrics { warning perSlice { slice } } } }', undefined, admin)).data.classifier;
      const cells = head.labels.length ** 2;
      expect(await metrics.locator(`table.confusion[data-cells="${cells}"] td.cell`).count()).toBe(cells);
      expect(await metrics.locator('table.per-slice tbody tr').count()).toBe(head.metrics.perSlice.length);
      if (head.metrics.warning) expect(await metrics.getByRole('alert').textContent()).toBe(head.metrics.warning);
    });

    it('classifies texts with a head: probabilities, and for a KNN head the neighbours that voted', async () => {
      const knn = await gql(server.url, 'mutation { trainClassifier(collection: "reviews", name: "topic-knn", labelKey: "topic", head: KNN) { name } }', undefined, admin);
      expect(knn.errors).toBeUndefined();
      await page.getByRole('link', { name: 'Classify texts with topic-head' }).click();
      await page.getByLabel('Texts to classify, one per line').fill('The toaster burns my bread.\nThe flight to Rome was cancelled.');
      await page.getByRole('button', { name: /^Classify 2 with topic-head/ }).click();
      const predictions = page.locator('article.prediction');
      await predictions.nth(1).waitFor();
      for (const p of await predictions.all()) {
        const probability = Number(await p.locator('[data-field="probability"]').textContent());
        expect(probability).toBeGreaterThan(0);
        expect(probability).toBeLessThanOrEqual(1);
        expect(await p.locator('meter').count()).toBeGreaterThan(1);
      }
      expect(await predictions.first().locator('[data-field="label"]').textContent()).toBe('Kitchen gadgets');
      await page.getByLabel('Classifier head').selectOption('topic-knn');
      await page.getByLabel('Texts to classify, one per line').fill('The kettle boils water fast.');
      await page.getByRole('button', { name: /^Classify 1 with topic-knn/ }).click();
      await page.getByRole('caption').filter({ hasText: 'The neighbours that voted' }).waitFor();
      expect(await page.locator('article.prediction table.hits tbody tr').count()).toBeGreaterThan(0);
    });

    it('fits 1280x800 and 1920x1080: no page scrolls sideways and the main controls are in view', async () => {
      const pages: [string, string[]][] = [
        ['#/', ['table.collections', 'header.top nav']],
        ['#/collection/reviews', ['table.documents', '#search-text', 'form.filter button', 'form.search button']],
        [`#/map/reviews/${encodeURIComponent(clusteringId)}`, ['.map-canvas canvas', '#search-text', 'table.clusters', 'form.search button']],
        [`#/review/reviews/${encodeURIComponent(clusteringId)}`, ['table.review', '#label-key', '#train-key']],
        ['#/classify/reviews', ['#classify-texts', '#classify-head', 'form.classify button[type="submit"]']],
      ];
      for (const [width, height] of [
        [1280, 800],
        [1920, 1080],
      ] as const) {
        await page.setViewportSize({ width, height });
        for (const [hash, selectors] of pages) {
          await page.goto(`${server.base}/${hash}`);
          for (const selector of selectors) {
            const control = page.locator(selector).first();
            await control.waitFor({ state: 'visible' });
            const box = (await control.boundingBox())!;
            expect({ hash, width, selector, left: box.x >= 0, right: box.x + box.width <= width + 0.5 }).toEqual({ hash, width, selector, left: true, right: true });
          }
          const overflow = await page.evaluate(() => {
            const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
            return d.scrollWidth - d.clientWidth;
          });
          expect({ hash, width, overflow }).toEqual({ hash, width, overflow: 0 });
        }
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    it('met no CSP violation, console error or uncaught error on the way', () => {
      expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
    });
  });

  describe('with API keys on and no key yet', () => {
    it('asks for a key; a read key sees the collections and gets a clear message where it would write', async () => {
      const { page, problems } = await openPage(browser);
      await page.goto(`${server.base}/`);
      await page.getByRole('heading', { name: 'This semhub needs an API key' }).waitFor();
      await page.getByRole('textbox', { name: 'API key' }).fill('not-a-key-0123456789abcdef');
      await page.getByRole('button', { name: 'Use key' }).click();
      await page.getByRole('alert').filter({ hasText: 'The key was refused' }).waitFor();
      await page.getByRole('textbox', { name: 'API key' }).fill(READ);
      await page.getByRole('button', { name: 'Use key' }).click();
      await page.locator('tr[data-collection="reviews"]').waitFor();
      await page.goto(`${server.base}/#/map/reviews`);
      await page.getByRole('button', { name: 'Start clustering' }).click();
      const message = page.locator('.message.forbidden');
      await message.waitFor();
      expect(await message.textContent()).toMatch(/Starting a clustering is not allowed with this API key: it is read-only .*needs the write scope/);
      expectOnlyRefusals(problems);
    });
  });

  describe('GraphiQL at GET /graphql', () => {
    it('is the graphiql editor, bundled here, with the API key box; it runs a query', async () => {
      const { page, problems } = await openPage(browser);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${server.base}/graphql`);
      await page.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 60_000 });
      await page.getByRole('textbox', { name: 'API key' }).fill(ADMIN);
      await page.getByRole('button', { name: 'Use key' }).click();
      await page.getByRole('button', { name: /^Execute query/ }).click();
      await page.locator('.graphiql-response').getByText('"reviews"').waitFor();
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      await page.getByText('Root Types').waitFor();
      expect(requests.filter((u) => !u.startsWith(server.base))).toEqual([]);
      expect(requests.some((u) => /\/assets\/graphql\.worker\.js$/.test(u))).toBe(true);
      expectOnlyRefusals(problems);
    });
  });
});
