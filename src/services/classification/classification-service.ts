/**
 * Classifier heads on a collection's embeddings: train (LOGISTIC, DNN, KNN; in the training
 * thread), version and store them, serve predictions for new texts, and classify stored documents
 * as a job. A head is bound to the module its vectors came from: serving it against vectors of
 * another module is CONFLICT, never a silent mismatch.
 */
import { AppError, conflict, notFound } from '../../errors.js';
import { LruCache } from '../../lru-cache.js';
import type { Logger } from '../../log.js';
import { gatherLabels, gatherRows, stratifiedSplit } from '../../ml/heads/split.js';
import type { DenseNet } from '../../ml/heads/net.js';
import type { ClassifierRow, CollectionRow, JobRow, Store } from '../../store/types.js';
import { loadLabelled } from './data.js';
import { ClassifyJobs } from './job.js';
import { MatrixPool } from './matrix-pool.js';
import { validationMetrics } from './metrics.js';
import { DNN_FIXED, checkClassifierName, dnnBatchSize, planTraining, storedHyperparameters, type TrainInput } from './params.js';
import { knnPredict, netProbabilities, toPredictions, type PredictionModel } from './predict.js';
import { isStale, retrainInput } from './retrain.js';
import { TrainingThread } from './thread.js';
import type { JobSchedule } from '../jobs/job-runner.js';
import type { DocumentService } from '../documents.js';
import { isMetadataKey, parseFilter } from '../filter.js';
import type { SearchService } from '../search.js';
import { checkBatch, textProblem, type Limits } from '../validate.js';

/** Trainings waiting for the training thread before new ones are refused (OVERLOADED). */
const MAX_WAITING_TRAININGS = 8;
/** Stored heads whose networks are kept decoded in memory (least recently used dropped first). */
const NET_CACHE = 16;

export interface ClassificationDeps {
  store: Store;
  documents: DocumentService;
  search: SearchService;
  limits: Limits;
  logger: Logger;
  /** Called after a job patched documents (the index catch-up). */
  afterWrite(collection: CollectionRow): Promise<void>;
  /** Scheduling of the classifyDocuments jobs (heartbeat, lease). */
  jobs?: JobSchedule;
}

export class ClassificationService {
  private readonly pool = new MatrixPool();
  private readonly thread = new TrainingThread(undefined, (buffers) => this.pool.give(buffers));
  private readonly nets = new LruCache<number, DenseNet>(NET_CACHE);
  private readonly jobs: ClassifyJobs;
  private waiting = 0;

  constructor(private readonly deps: ClassificationDeps) {
    this.jobs = new ClassifyJobs(deps.store, (c, row, keys, vectors) => this.predictVectors(c, row, vectors, keys), deps.afterWrite, deps.logger, deps.jobs);
  }

  /** Trains a head on the collection's labelled documents and stores it as the name's next version. */
  async train(collection: CollectionRow, input: TrainInput): Promise<ClassifierRow> {
    const plan = planTraining(input);
    if (this.waiting >= MAX_WAITING_TRAININGS) throw new AppError('OVERLOADED', `${this.waiting} trainings are already waiting; try again later`);
    this.waiting++;
    try {
      const started = performance.now();
      const data = await loadLabelled(this.deps.store, collection, plan, (floats) => this.pool.take(floats));
      const loaded = performance.now();
      const classes = data.labels.length;
      const split = stratifiedSplit(data.y, classes, plan.validationSplit, plan.seed);
      const rows = (idx: Int32Array) => ({ x: gatherRows(data.x, data.dims, idx, this.pool.take(idx.length * data.dims)), y: gatherLabels(data.y, idx), n: idx.length });
      // without validation the training rows are all rows, in order: no copy
      const train = split.validation.length === 0 ? { x: data.x, y: data.y, n: data.n } : rows(split.train);
      const validation = split.validation.length > 0 ? rows(split.validation) : null;
      if (validation) this.pool.give([data.x.buffer as ArrayBuffer]); // gathered into the parts
      const gold = validation ? validation.y.slice() : null; // the task's arrays are transferred away
      const l2 = plan.l2 ?? 1 / train.n;
      // a refit keeps the hyperparameters: LOGISTIC's default penalty stays C = 1, 1/n of all rows
      const refit = plan.refit && validation ? { l2: plan.l2 ?? 1 / data.n } : null;
      const sent = performance.now();
      const outcome = await this.thread.run({
        head: plan.head, dims: data.dims, classes, train, validation, refit,
        options: { l2, balanced: plan.classWeight === 'BALANCED', epochs: plan.epochs, hiddenUnits: plan.hiddenUnits, dropout: plan.dropout, seed: plan.seed, k: plan.k, batchSize: dnnBatchSize(train.n), ...DNN_FIXED },
      });
      const threadSeconds = (performance.now() - sent) / 1000;
      const slices = plan.sliceBy ? Array.from(split.validation, (i) => data.slices[i] ?? null) : null;
      const metrics = gold && outcome.validationPredicted ? { ...validationMetrics(gold, outcome.validationPredicted, data.labels, plan.sliceBy, slices), refit: refit !== null } : null;
      const { seconds, ...stats } = outcome.stats;
      const row = await this.deps.store.createClassifier({
        collectionKey: collection.key, name: plan.name, head: plan.head, labelKey: plan.labelKey, labels: data.labels,
        hyperparameters: storedHyperparameters(plan, refit?.l2 ?? l2, train.n), metrics,
        training: { ...stats, fitSeconds: seconds, loadSeconds: (loaded - started) / 1000, threadSeconds, totalSeconds: (performance.now() - started) / 1000 },
        module: collection.module, layers: outcome.layers, weights: outcome.params,
        trainedOn: outcome.fittedRows, validatedOn: split.validation.length, skipped: data.skipped,
      });
      if (row.layers.length > 0) this.nets.set(row.key, { layers: row.layers, params: outcome.params });
      this.deps.logger.info({ collection: collection.name, classifier: row.name, version: row.version, head: row.head, trainedOn: row.trainedOn, accuracy: metrics?.accuracy, seconds: row.training.totalSeconds }, 'classifier trained');
      return row;
    } finally {
      this.waiting--;
    }
  }

  /** A head by name: the given version, or the latest; null when absent. */
  find(collection: CollectionRow, name: string, version?: number | null): Promise<ClassifierRow | null> {
    return this.deps.store.getClassifier(collection.key, checkClassifierName(name), version);
  }

  /** Like `find`, but NOT_FOUND when absent. */
  async get(collection: CollectionRow, name: string, version?: number | null): Promise<ClassifierRow> {
    const row = await this.find(collection, name, version);
    if (!row) {
      throw notFound(version == null
        ? `classifier "${name}" does not exist in collection "${collection.name}"`
        : `classifier "${name}" has no version ${version} in collection "${collection.name}"`);
    }
    return row;
  }

  /** The latest version of each head of a collection, by name. */
  list(collection: CollectionRow): Promise<ClassifierRow[]> {
    return this.deps.store.listClassifiers(collection.key);
  }

  /** Every stored version number of a head, ascending. */
  versions(row: ClassifierRow): Promise<number[]> {
    return this.deps.store.classifierVersions(row.collectionKey, row.name);
  }

  /** Deletes one version, or all versions, of a head; false when there was nothing to delete. */
  async delete(collection: CollectionRow, name: string, version?: number | null): Promise<boolean> {
    const n = await this.deps.store.deleteClassifier(collection.key, checkClassifierName(name), version);
    return n > 0;
  }

  /**
   * Predictions for `texts` by the named head, embedded with the module it was trained on: the
   * collection's, or for a stale head (trained before a module migration's swap) its own module,
   * which serves only when its version is asked for explicitly.
   */
  async classify(collection: CollectionRow, name: string, texts: string[], version?: number | null): Promise<PredictionModel[]> {
    checkBatch('texts', texts.length, this.deps.limits);
    texts.forEach((t, i) => {
      const problem = textProblem(t, { ...this.deps.limits });
      if (problem) throw new AppError(problem[0] as 'BAD_USER_INPUT', `texts[${i}]: ${problem[1]}`);
    });
    const row = await this.get(collection, name, version);
    if (version == null) this.checkModule(collection, row);
    // a stale KNN head votes with the neighbours among its module's vectors: the previous module's, until they are dropped
    if (row.head === 'KNN' && isStale(row, collection) && collection.previousModule?.sha256 !== row.module.sha256) this.checkModule(collection, row);
    const encoder = await this.deps.documents.encoderOf(collection, row.module);
    if (texts.length === 0) return [];
    return this.predictVectors(collection, row, await encoder.embed(texts, { priority: 'interactive' }));
  }

  /**
   * Starts classifying the stored documents matching `filter` with the head's latest (or given)
   * version; each gets its prediction under metadata key `writeTo` (default prediction_<name>).
   */
  async classifyDocuments(collection: CollectionRow, input: { classifier: string; version?: number | null; filter?: unknown; writeTo?: string | null }): Promise<JobRow> {
    const filter = parseFilter(input.filter);
    const writeTo = input.writeTo ?? `prediction_${checkClassifierName(input.classifier)}`;
    if (!isMetadataKey(writeTo) || writeTo.includes('.')) {
      throw new AppError('BAD_USER_INPUT', `writeTo "${writeTo.slice(0, 80)}" must be a top-level metadata key (letters, digits, _ and -, at most 64 characters, no dots)`);
    }
    const row = await this.get(collection, input.classifier, input.version);
    this.checkModule(collection, row);
    return this.jobs.start({ collection, classifier: row, rawFilter: input.filter ?? null, filter, writeTo });
  }

  /**
   * Trains every head of the collection whose latest version is stale (trained on another module
   * than the bound one) again, on the bound module's vectors with its saved parameters: each gets
   * a new version. Returns their names and new versions.
   */
  async retrainStale(collection: CollectionRow): Promise<{ name: string; version: number }[]> {
    const out: { name: string; version: number }[] = [];
    for (const row of await this.list(collection)) {
      if (!isStale(row, collection)) continue;
      const trained = await this.train(collection, retrainInput(row));
      out.push({ name: trained.name, version: trained.version });
    }
    return out;
  }

  /** Cancels this process's jobs on a deleted collection. */
  cancelCollection(collection: CollectionRow): void {
    this.jobs.cancelCollection(collection);
    // its heads went with it; their keys never come back, so this only frees the memory sooner
    this.nets.clear();
  }

  async close(): Promise<void> {
    await this.jobs.close();
    await this.thread.close();
  }

  /** Predictions of stored or fresh vectors; `exclude` holds the vectors' own document keys (never their own KNN neighbour). */
  private async predictVectors(collection: CollectionRow, row: ClassifierRow, vectors: Float32Array[], exclude?: number[]): Promise<PredictionModel[]> {
    if (row.head === 'KNN') {
      const { probabilities, evidence } = await knnPredict(this.deps.search, collection, row, vectors, exclude);
      return toPredictions(probabilities, row, evidence);
    }
    return toPredictions(await netProbabilities(await this.net(row), vectors), row, null);
  }

  /** The decoded network of a stored head (cached by key: stored versions never change). */
  private async net(row: ClassifierRow): Promise<DenseNet> {
    const cached = this.nets.get(row.key);
    if (cached) return cached;
    const params = await this.deps.store.getClassifierWeights(row.key);
    if (!params) throw notFound(`classifier "${row.name}" version ${row.version} was deleted`);
    const net = { layers: row.layers, params };
    this.nets.set(row.key, net);
    return net;
  }

  /** CONFLICT CLASSIFIER_STALE when the head was trained on vectors of another module than the collection's (a module migration swapped since). */
  private checkModule(collection: CollectionRow, row: ClassifierRow): void {
    const m = row.module;
    const c = collection.module;
    if (isStale(row, collection)) {
      throw conflict(
        `classifier "${row.name}" version ${row.version} was trained on vectors of ${m.name}@${m.version} (sha256 ${m.sha256.slice(0, 12)}…), ` +
          `but collection "${collection.name}" is now bound to ${c.name}@${c.version} (sha256 ${c.sha256.slice(0, 12)}…): it is stale; ` +
          `retrain it (trainClassifier, or migrateCollection with retrainClassifiers), or ask for its version explicitly to classify texts with its own module`,
        'CLASSIFIER_STALE',
      );
    }
  }
}
