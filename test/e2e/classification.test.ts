/**
 * Classifier heads through the real server over HTTP, on real SST-2 sentences embedded by the
 * real module: train LOGISTIC, DNN and KNN heads, classify held-out sentences, retrain into new
 * versions, score slices, classify stored documents as a job, and refuse bad requests with codes.
 * Embedding is kept small (about 130 short sentences).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSst2 } from '../../bench/datasets.js';
import { describeIfPresent, evalDataMissing } from '../support/requires.js';
import { codes, gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

const train = loadSst2('train');
const dev = loadSst2('dev');
const short = (rows: { text: string; label: string }[], n: number) => {
  const pick = (label: string) => rows.filter((r) => r.label === label && r.text.length <= 110).slice(0, n / 2);
  return pick('positive').flatMap((p, i) => [p, pick('negative')[i]!]);
};
// 120 labelled training sentences; the slice key groups them by length
const labelled = train ? short(train, 120).map((r, i) => ({ id: `t${i}`, text: r.text, metadata: { label: r.label, source: 'sst2', length: r.text.length < 60 ? 'short' : 'long' } })) : [];
// documents without a label: counted as skipped
const unlabelled = train ? train.slice(5000, 5003).map((r, i) => ({ id: `u${i}`, text: r.text, metadata: { source: 'unlabelled' } })) : [];
const heldOut = dev ? short(dev, 40) : [];

let server: ServerProcess;

const TRAIN = `mutation($c: String!, $name: String!, $labelKey: String!, $head: HeadKind, $hiddenUnits: [Int!], $sliceBy: String, $filter: JSON, $seed: Int, $k: Int, $validationSplit: Float, $l2: Float, $epochs: Int, $refit: Boolean) {
  trainClassifier(collection: $c, name: $name, labelKey: $labelKey, head: $head, hiddenUnits: $hiddenUnits, sliceBy: $sliceBy, filter: $filter, seed: $seed, k: $k, validationSplit: $validationSplit, l2: $l2, epochs: $epochs, refit: $refit) {
    name version versions head labelKey labels trainedOn validatedOn skipped hyperparameters training createdAt
    module { name version sha256 dims loaded }
    metrics { refit n accuracy macroF1 perClass { label precision recall f1 support } confusion sliceBy perSlice { slice n accuracy macroF1 } sliceGap { best worst gap } warning }
  }
}`;
const CLASSIFY = `query($c: String!, $name: String!, $texts: [String!]!, $version: Int) {
  classify(collection: $c, classifier: $name, texts: $texts, version: $version) {
    label probability scores { label score } classifierVersion module { sha256 } evidence { score document { id metadata } }
  }
}`;

interface Prediction { label: string; probability: number; scores: { label: string; score: number }[]; classifierVersion: number; evidence: { score: number; document: { id: string; metadata: { label: string } } }[] | null }

async function trainHead(vars: Record<string, unknown>) {
  const r = await gql(server.url, TRAIN, { c: 'sst', labelKey: 'label', ...vars });
  expect(r.errors).toBeUndefined();
  return r.data.trainClassifier;
}

async function classifyHeldOut(name: string, version?: number): Promise<{ accuracy: number; predictions: Prediction[] }> {
  const r = await gql(server.url, CLASSIFY, { c: 'sst', name, texts: heldOut.map((h) => h.text), version });
  expect(r.errors).toBeUndefined();
  const predictions = r.data.classify as Prediction[];
  expect(predictions).toHaveLength(heldOut.length);
  const accuracy = predictions.filter((p, i) => p.label === heldOut[i]!.label).length / heldOut.length;
  return { accuracy, predictions };
}

describeIfPresent(evalDataMissing('senteval/SST2', train && dev), 'classifier heads over HTTP', () => {
  beforeAll(async () => {
    server = await startServerProcess();
    expect((await gql(server.url, `mutation { createCollection(name: "sst") { name } }`)).errors).toBeUndefined();
    const r = await gql(server.url, `mutation($d: [DocumentInput!]!) { upsertDocuments(collection: "sst", documents: $d) { upserted errors { message } } }`, { d: [...labelled, ...unlabelled] });
    expect(r.data.upsertDocuments.upserted).toBe(labelled.length + unlabelled.length);
  });

  afterAll(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
  });

  it('trains a LOGISTIC head with validation metrics per label and per slice, then refits it on every label', async () => {
    const c = await trainHead({ name: 'sentiment', sliceBy: 'length', validationSplit: 0.25 });
    expect(c).toMatchObject({ name: 'sentiment', version: 1, versions: [1], head: 'LOGISTIC', labelKey: 'label', labels: ['negative', 'positive'], skipped: unlabelled.length });
    // measured on 30 held out of the 90 it first learnt from, then fitted again on all 120 (C = 1: l2 = 1/120)
    expect(c.trainedOn).toBe(labelled.length);
    expect(c.validatedOn).toBe(30);
    expect(c.module).toMatchObject({ name: 'use-lite', dims: 512, loaded: true });
    expect(c.hyperparameters).toMatchObject({ l2: 1 / labelled.length, classWeight: 'NONE', validationSplit: 0.25, refit: true, seed: 0, sliceBy: 'length' });
    expect(c.training.refit).toMatchObject({ rows: labelled.length, l2: 1 / labelled.length });
    expect(c.metrics.refit).toBe(true);
    expect(c.training).toMatchObject({ engine: 'tfjs-wasm' });
    const m = c.metrics;
    expect(m.n).toBe(30);
    expect(m.perClass.map((p: { label: string; support: number }) => [p.label, p.support])).toEqual([['negative', 15], ['positive', 15]]);
    expect(m.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(30);
    expect(m.accuracy).toBeCloseTo((m.confusion[0][0] + m.confusion[1][1]) / 30, 10);
    expect(m.sliceBy).toBe('length');
    expect(m.perSlice.map((s: { slice: string }) => s.slice)).toEqual(['long', 'short']);
    expect(m.perSlice.reduce((a: number, s: { n: number }) => a + s.n, 0)).toBe(30);
    expect(m.sliceGap.gap).toBeCloseTo(Math.max(...m.perSlice.map((s: { accuracy: number }) => s.accuracy)) - Math.min(...m.perSlice.map((s: { accuracy: number }) => s.accuracy)), 10);
    expect(m.warning === null).toBe(m.sliceGap.gap <= 0.05);
    if (m.warning) expect(m.warning).toMatch(/^accuracy differs by 0\.\d{3} between length slices/);
  });

  it('keeps the training-split head with refit: false, scored the same', async () => {
    const c = await trainHead({ name: 'split-only', sliceBy: 'length', validationSplit: 0.25, refit: false });
    expect(c).toMatchObject({ trainedOn: 90, validatedOn: 30, hyperparameters: { l2: 1 / 90, refit: false }, metrics: { refit: false } });
    expect(c.training.refit).toBeUndefined();
    const refitted = await gql(server.url, `query { classifier(collection: "sst", name: "sentiment") { metrics { accuracy confusion } } }`);
    expect(c.metrics).toMatchObject(refitted.data.classifier.metrics);
    const [split, all] = [await classifyHeldOut('split-only'), await classifyHeldOut('sentiment')];
    expect(split.predictions.map((p) => p.probability)).not.toEqual(all.predictions.map((p) => p.probability));
  });

  it('classifies held-out SST-2 dev sentences well above chance, naming the head version', async () => {
    const { accuracy, predictions } = await classifyHeldOut('sentiment');
    expect(accuracy).toBeGreaterThan(0.65);
    for (const p of predictions) {
      expect(p.classifierVersion).toBe(1);
      expect(p.evidence).toBeNull();
      expect(p.scores.map((s) => s.label)).toEqual(['negative', 'positive']);
      expect(p.scores[0]!.score + p.scores[1]!.score).toBeCloseTo(1, 5);
      expect(p.probability).toBe(Math.max(...p.scores.map((s) => s.score)));
    }
  });

  it('retrains the same name into version 2, keeps version 1, and serves the latest', async () => {
    const c = await trainHead({ name: 'sentiment', validationSplit: 0, l2: 0.05 });
    expect(c).toMatchObject({ version: 2, versions: [1, 2], metrics: null, validatedOn: 0, trainedOn: labelled.length });
    const latest = await classifyHeldOut('sentiment');
    expect(latest.predictions.every((p) => p.classifierVersion === 2)).toBe(true);
    expect(latest.accuracy).toBeGreaterThan(0.65);
    const old = await classifyHeldOut('sentiment', 1);
    expect(old.predictions.every((p) => p.classifierVersion === 1)).toBe(true);
    const list = await gql(server.url, `query { classifiers(collection: "sst") { name version } classifier(collection: "sst", name: "sentiment", version: 1) { version metrics { n } } }`);
    expect(list.data.classifiers).toEqual([{ name: 'sentiment', version: 2 }, { name: 'split-only', version: 1 }]);
    expect(list.data.classifier).toEqual({ version: 1, metrics: { n: 30 } });
  });

  it('trains a DNN head deterministically for a seed', async () => {
    const a = await trainHead({ name: 'deep', head: 'DNN', hiddenUnits: [64], seed: 3 });
    expect(a).toMatchObject({ head: 'DNN', hyperparameters: { hiddenUnits: [64], dropout: 0.1, seed: 3 } });
    expect(a.training.epochs).toBeGreaterThan(0);
    // refitted on all 120 for the epochs early stopping chose on the split
    expect(a).toMatchObject({ trainedOn: labelled.length, training: { refit: { rows: labelled.length, epochs: a.training.bestEpoch } } });
    const b = await trainHead({ name: 'deep', head: 'DNN', hiddenUnits: [64], seed: 3 });
    expect(b.version).toBe(2);
    expect(b.metrics).toEqual(a.metrics);
    const first = await classifyHeldOut('deep', 1);
    const second = await classifyHeldOut('deep', 2);
    expect(second.predictions.map((p) => p.scores)).toEqual(first.predictions.map((p) => p.scores));
    expect(first.accuracy).toBeGreaterThan(0.55);
  });

  it('trains a KNN head whose predictions carry the neighbours that voted', async () => {
    const c = await trainHead({ name: 'nearest', head: 'KNN', k: 7 });
    expect(c).toMatchObject({ head: 'KNN', hyperparameters: { k: 7 } });
    expect(c.metrics.n).toBe(24);
    const { accuracy, predictions } = await classifyHeldOut('nearest');
    expect(accuracy).toBeGreaterThan(0.55);
    for (const p of predictions) {
      expect(p.evidence).toHaveLength(7);
      const votes = (label: string) => p.evidence!.filter((e) => e.document.metadata.label === label).reduce((s, e) => s + Math.max(e.score, 0) + 1e-6, 0);
      const total = votes('negative') + votes('positive');
      expect(p.scores[1]!.score).toBeCloseTo(votes('positive') / total, 4);
      for (let i = 1; i < p.evidence!.length; i++) expect(p.evidence![i - 1]!.score).toBeGreaterThanOrEqual(p.evidence![i]!.score);
    }
  });

  it('classifies stored documents as a job whose predictions a documents filter finds', async () => {
    const start = await gql(server.url, `mutation { classifyDocuments(collection: "sst", classifier: "sentiment", filter: {source: "sst2"}) { id kind status } }`);
    expect(start.errors).toBeUndefined();
    expect(start.data.classifyDocuments).toMatchObject({ kind: 'classify', status: 'PENDING' });
    const id = start.data.classifyDocuments.id;
    let job: { status: string; progress: number; result: { classified: number; byLabel: Record<string, number>; version: number; writeTo: string } } | null = null;
    for (let i = 0; i < 120; i++) {
      job = (await gql(server.url, `query($id: ID!) { job(id: $id) { status progress result error } }`, { id })).data.job;
      if (job!.status !== 'PENDING' && job!.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(job).toMatchObject({ status: 'SUCCEEDED', progress: 1, result: { classified: labelled.length, version: 2, writeTo: 'prediction_sentiment' } });
    const found = await gql(server.url, `query($f: JSON) { documents(collection: "sst", filter: $f, first: 100) { totalCount nodes { id text metadata } } }`, { f: { 'prediction_sentiment.label': 'positive' } });
    expect(found.errors).toBeUndefined();
    expect(found.data.documents.totalCount).toBe(job!.result.byLabel.positive);
    for (const d of found.data.documents.nodes) {
      expect(d.metadata).toMatchObject({ source: 'sst2', prediction_sentiment: { label: 'positive', version: 2 } });
      expect(d.text).toBe(labelled.find((l) => l.id === d.id)!.text);
    }
    const untouched = await gql(server.url, `query { documents(collection: "sst", filter: {source: "unlabelled"}) { nodes { metadata } } }`);
    expect(untouched.data.documents.nodes.every((d: { metadata: Record<string, unknown> }) => !('prediction_sentiment' in d.metadata))).toBe(true);
    const c = await gql(server.url, `query { collection(name: "sst") { documentCount indexedCount } }`);
    expect(c.data.collection.indexedCount).toBe(c.data.collection.documentCount);
  });

  it('refuses bad requests with precise codes', async () => {
    const bad = async (vars: Record<string, unknown>) => gql(server.url, TRAIN, { c: 'sst', labelKey: 'label', name: 'bad', ...vars });
    const noKey = await bad({ labelKey: 'stars' });
    expect(codes(noKey)).toEqual(['BAD_USER_INPUT']);
    expect(noKey.errors![0]!.message).toMatch(/no document has metadata key "stars"/);
    const oneClass = await bad({ filter: { label: 'positive' } });
    expect(codes(oneClass)).toEqual(['BAD_USER_INPUT']);
    expect(oneClass.errors![0]!.message).toMatch(/at least 2 distinct labels/);
    expect(codes(await bad({ hiddenUnits: [8] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await bad({ head: 'KNN', l2: 0.1 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await bad({ validationSplit: 0.9 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await bad({ name: '9lives' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(server.url, TRAIN, { c: 'nope', labelKey: 'label', name: 'x' }))).toEqual(['NOT_FOUND']);
    const unknown = await gql(server.url, CLASSIFY, { c: 'sst', name: 'missing', texts: ['hello'] });
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    expect(unknown.errors![0]!.message).toBe('classifier "missing" does not exist in collection "sst"');
    expect(codes(await gql(server.url, CLASSIFY, { c: 'sst', name: 'sentiment', texts: ['  '] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(server.url, `mutation { classifyDocuments(collection: "sst", classifier: "missing") { id } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(server.url, `mutation { classifyDocuments(collection: "sst", classifier: "sentiment", writeTo: "a.b") { id } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('deletes one version, then the rest', async () => {
    const one = await gql(server.url, `mutation { deleteClassifier(collection: "sst", name: "deep", version: 1) }`);
    expect(one.data.deleteClassifier).toBe(true);
    const left = await gql(server.url, `query { classifier(collection: "sst", name: "deep") { version versions } }`);
    expect(left.data.classifier).toEqual({ version: 2, versions: [2] });
    expect((await gql(server.url, `mutation { deleteClassifier(collection: "sst", name: "deep") }`)).data.deleteClassifier).toBe(true);
    expect((await gql(server.url, `mutation { deleteClassifier(collection: "sst", name: "deep") }`)).data.deleteClassifier).toBe(false);
    expect((await gql(server.url, `query { classifier(collection: "sst", name: "deep") { version } }`)).data.classifier).toBeNull();
  });
});
