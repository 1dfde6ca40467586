import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInput } from '../../../src/errors.js';
import { jobRecords } from '../../../src/services/jobs/job-records.js';
import { JobRunner, type JobContext, type JobSchedule } from '../../../src/services/jobs/job-runner.js';
import { openStore } from '../../../src/store/open.js';
import type { JobRow, Store } from '../../../src/store/types.js';
import { newCollection } from '../../store/suite-support.js';

type Update = Partial<Pick<JobRow, 'status' | 'progress' | 'result' | 'error'>>;

const KIND = 'runner-test';
const logger = pino({ level: 'silent' });
const wording = { noun: 'test job', doing: 'testing', rerun: 'testJob' };

let dataDir: string;
let store: Store;
let counter = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'semhub-runner-'));
  store = await openStore({ dataDir });
});
afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const runner = (schedule: JobSchedule = {}) => new JobRunner<Update>({ ...schedule, records: jobRecords(store, KIND), wording, logger });
const newJob = (collectionKey: number | null = null) => store.createJob({ id: `job-${++counter}`, kind: KIND, collectionKey, params: {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Work that waits for `release()` (or its signal) and then stores its result. */
function gate(): { work: (job: JobContext<Update>) => Promise<void>; started: Promise<void>; release(): void; sawAbort(): boolean } {
  let release!: () => void;
  let started!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const began = new Promise<void>((resolve) => (started = resolve));
  let aborted = false;
  const work = async (job: JobContext<Update>) => {
    started();
    await new Promise<void>((resolve) => {
      void released.then(resolve);
      job.signal.addEventListener('abort', () => {
        aborted = true;
        resolve();
      });
    });
    if (job.signal.aborted) return;
    await job.update({ status: 'SUCCEEDED', progress: 1, result: { ok: true } });
  };
  return { work, started: began, release, sawAbort: () => aborted };
}

describe('job runner', () => {
  it('runs a job as RUNNING with progress that never goes back, and stores what the work stores last', async () => {
    const jobs = runner();
    const row = await newJob();
    const seen: number[] = [];
    await jobs.submit(row, async (job) => {
      for (const f of [0.1, 0.5, 0.3, 0.9]) {
        job.report(f);
        await job.flush();
        const now = await store.getJob(row.id);
        expect(now?.status).toBe('RUNNING');
        seen.push(now!.progress);
      }
      await job.update({ status: 'SUCCEEDED', progress: 1, result: { n: 4 } });
    });
    expect(seen).toEqual([0.1, 0.5, 0.5, 0.9]);
    expect(await store.getJob(row.id)).toMatchObject({ status: 'SUCCEEDED', progress: 1, result: { n: 4 }, error: null });
    expect(jobs.ownedIds).toEqual([]);
    await jobs.close();
  });

  it('runs at most `concurrency` jobs at once: the next one stays PENDING until a slot is free', async () => {
    const jobs = runner({ concurrency: 1 });
    const [a, b] = [await newJob(), await newJob()];
    const first = gate();
    const second = gate();
    const done = [jobs.submit(a, first.work), jobs.submit(b, second.work)];
    await first.started;
    expect(jobs.ownedIds).toEqual([a.id, b.id]);
    expect((await store.getJob(b.id))?.status).toBe('PENDING');
    first.release();
    await second.started;
    second.release();
    await Promise.all(done);
    expect((await store.getJob(a.id))?.status).toBe('SUCCEEDED');
    expect((await store.getJob(b.id))?.status).toBe('SUCCEEDED');
    await jobs.close();
  });

  it('stores an AppError as FAILED with its message, anything else with a pointer to the server log', async () => {
    const jobs = runner({ concurrency: 2 });
    const [user, internal] = [await newJob(), await newJob()];
    await Promise.all([
      jobs.submit(user, async () => {
        throw badInput('k=9 needs at least 9 documents');
      }),
      jobs.submit(internal, async () => {
        throw new Error('SELECT * FROM secrets');
      }),
    ]);
    expect(await store.getJob(user.id)).toMatchObject({ status: 'FAILED', error: 'k=9 needs at least 9 documents' });
    expect(await store.getJob(internal.id)).toMatchObject({
      status: 'FAILED', error: `internal error while testing; the server log has the details (test job ${internal.id})`,
    });
    await jobs.close();
  });

  it('cancels a running job and a queued one, and writes nothing more for them', async () => {
    const jobs = runner({ concurrency: 1 });
    const c = await newCollection(store, `runner-${process.pid}-${++counter}`);
    const [running, queued, other] = [await newJob(c.key), await newJob(c.key), await newJob()];
    const r = gate();
    const q = gate();
    const o = gate();
    const done = [jobs.submit(running, r.work), jobs.submit(queued, q.work), jobs.submit(other, o.work)];
    await r.started;
    jobs.cancelCollection(c.key);
    await o.started;
    expect(r.sawAbort()).toBe(true);
    jobs.cancel(other.id);
    await Promise.all(done);
    expect(o.sawAbort()).toBe(true);
    expect((await store.getJob(running.id))?.status).toBe('RUNNING');
    expect((await store.getJob(queued.id))?.status).toBe('PENDING');
    expect((await store.getJob(other.id))?.status).toBe('RUNNING');
    await jobs.close();
    // cancelled jobs are no longer owned: close left them to whoever cancelled them
    expect((await store.getJob(running.id))?.status).toBe('RUNNING');
  });

  it('records the jobs it owns as FAILED when it closes, running or queued, and refuses new ones', async () => {
    const jobs = runner({ concurrency: 1 });
    const [running, queued] = [await newJob(), await newJob()];
    const r = gate();
    void jobs.submit(running, r.work);
    void jobs.submit(queued, gate().work);
    await r.started;
    await jobs.close();
    const stopped = { status: 'FAILED', error: 'the server stopped before this test job finished; run testJob again' };
    expect(await store.getJob(running.id)).toMatchObject(stopped);
    expect(await store.getJob(queued.id)).toMatchObject(stopped);
    const late = await newJob();
    await jobs.submit(late, gate().work);
    expect(await store.getJob(late.id)).toMatchObject(stopped);
  });

  it('keeps the jobs it owns fresh, and fails the unfinished jobs of an owner that stopped refreshing', async () => {
    const orphan = await newJob();
    await store.updateJob(orphan.id, { status: 'RUNNING', progress: 0.4 });
    await sleep(1100);
    // a long job of this process: older than staleMs by the end, but refreshed by the heartbeat
    const jobs = runner({ heartbeatMs: 100, staleMs: 1000 });
    const owned = await newJob();
    const g = gate();
    const done = jobs.submit(owned, g.work);
    await g.started;
    await sleep(1300);
    expect(await store.getJob(orphan.id)).toMatchObject({
      status: 'FAILED', progress: 0.4, error: 'the server running this test job stopped (no progress for 1 s); run testJob again',
    });
    expect((await store.getJob(owned.id))?.status).toBe('RUNNING');
    g.release();
    await done;
    expect((await store.getJob(owned.id))?.status).toBe('SUCCEEDED');
    await jobs.close();
  });

  it('claims the job for its owner id (attempts 1) and renews its lease on the heartbeat', async () => {
    const jobs = runner({ heartbeatMs: 100, staleMs: 1000, owner: 'runner-owner-1' });
    expect(jobs.owner).toBe('runner-owner-1');
    const row = await newJob();
    const g = gate();
    const done = jobs.submit(row, g.work);
    await g.started;
    const first = (await store.getJob(row.id))!;
    expect(first).toMatchObject({ owner: 'runner-owner-1', attempts: 1, status: 'RUNNING' });
    await sleep(400);
    const later = (await store.getJob(row.id))!;
    expect(later.leaseUntil!.getTime()).toBeGreaterThan(first.leaseUntil!.getTime());
    expect(later.attempts).toBe(1);
    g.release();
    await done;
    await jobs.close();
  });

  it('leaves a job another owner holds to it', async () => {
    const row = await newJob();
    await store.claimJobs({ kind: KIND, owner: 'someone-else', now: new Date(), leaseUntil: new Date(Date.now() + 60_000), limit: 1, id: row.id });
    const jobs = runner();
    let ran = false;
    await jobs.submit(row, async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(await store.getJob(row.id)).toMatchObject({ owner: 'someone-else', attempts: 1, status: 'PENDING' });
    await jobs.close();
    expect((await store.getJob(row.id))?.status).toBe('PENDING');
  });

  it('with resume, takes over a job whose owner stopped renewing and runs it again (attempts + 1), not one whose lease holds', async () => {
    const kind = `${KIND}-takeover`;
    const create = (id: string) => store.createJob({ id: `${id}-${++counter}`, kind, collectionKey: null, params: { n: counter } });
    const dead = await create('dead');
    const alive = await create('alive');
    const lost = await create('lost');
    const past = new Date(Date.now() - 1000);
    await store.claimJobs({ kind, owner: 'dead-owner', now: new Date(), leaseUntil: past, limit: 1, id: dead.id });
    await store.updateJob(dead.id, { status: 'RUNNING', progress: 0.6 });
    await store.claimJobs({ kind, owner: 'dead-owner', now: new Date(), leaseUntil: past, limit: 1, id: lost.id });
    await store.claimJobs({ kind, owner: 'live-owner', now: new Date(), leaseUntil: new Date(Date.now() + 60_000), limit: 1, id: alive.id });
    const seen: string[] = [];
    const jobs = new JobRunner<Update>({
      heartbeatMs: 50, staleMs: 60_000, concurrency: 4, owner: 'heir', records: jobRecords(store, kind), wording, logger,
      resume: async (row) => (row.id === lost.id ? null : {
        collectionKey: row.collectionKey,
        work: async (ctx) => {
          seen.push(`${ctx.id}:${row.attempts}`);
          await ctx.update({ status: 'SUCCEEDED', progress: 1, result: row.params });
        },
      }),
    });
    try {
      for (let i = 0; i < 60 && (await store.getJob(dead.id))?.status !== 'SUCCEEDED'; i++) await sleep(50);
      expect(await store.getJob(dead.id)).toMatchObject({ status: 'SUCCEEDED', owner: 'heir', attempts: 2, result: dead.params });
      expect(seen).toEqual([`${dead.id}:2`]);
      expect(await store.getJob(lost.id)).toMatchObject({
        status: 'FAILED', owner: 'heir', attempts: 2, error: 'this test job could not be resumed after its server stopped; run testJob again',
      });
      expect(await store.getJob(alive.id)).toMatchObject({ status: 'PENDING', owner: 'live-owner', attempts: 1 });
    } finally {
      await jobs.close();
    }
  });

  it('runs a job created held by it (newClaim) without claiming it again: attempts 1', async () => {
    const jobs = runner({ owner: 'creator' });
    const row = await store.createJob({ id: `job-${++counter}`, kind: KIND, collectionKey: null, params: {}, claim: jobs.newClaim() });
    expect(row).toMatchObject({ owner: 'creator', attempts: 1 });
    await jobs.submit(row, async (job) => job.update({ status: 'SUCCEEDED', progress: 1 }));
    expect(await store.getJob(row.id)).toMatchObject({ status: 'SUCCEEDED', owner: 'creator', attempts: 1 });
    await jobs.close();
  });

  it('stops a job within a heartbeat when its lease is gone: row deleted, or taken over elsewhere; and writes nothing for it', async () => {
    const jobs = runner({ heartbeatMs: 50, staleMs: 60_000, concurrency: 2 });
    const c = await newCollection(store, `runner-${process.pid}-${++counter}`);
    const deleted = await store.createJob({ id: `job-${++counter}`, kind: KIND, collectionKey: c.key, params: {}, claim: jobs.newClaim() });
    const stolen = await store.createJob({ id: `job-${++counter}`, kind: KIND, collectionKey: null, params: {}, claim: jobs.newClaim() });
    const [d, s] = [gate(), gate()];
    const done = [jobs.submit(deleted, d.work), jobs.submit(stolen, s.work)];
    await Promise.all([d.started, s.started]);
    // another process deletes the first (its collection) and takes the second over
    await store.deleteCollection(c.name);
    const far = new Date(Date.now() + 3_600_000);
    await store.claimJobs({ kind: KIND, owner: 'elsewhere', now: far, leaseUntil: far, limit: 1, id: stolen.id });
    const t0 = Date.now();
    await Promise.all(done);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(d.sawAbort() && s.sawAbort()).toBe(true);
    expect(await store.getJob(deleted.id)).toBeNull();
    expect(await store.getJob(stolen.id)).toMatchObject({ status: 'RUNNING', owner: 'elsewhere', attempts: 2 });
    await jobs.close();
    expect(await store.getJob(stolen.id)).toMatchObject({ status: 'RUNNING', owner: 'elsewhere' });
  });

  it('with resume, releases its jobs when it closes, and another runner takes them over at once (attempts 2)', async () => {
    const kind = `${KIND}-release`;
    const records = jobRecords(store, kind);
    const resume = async (row: JobRow) => ({ collectionKey: null, work: async (ctx: JobContext<Update>) => ctx.update({ status: 'SUCCEEDED', progress: 1, result: { by: 'heir' } }) });
    const first = new JobRunner<Update>({ heartbeatMs: 50, staleMs: 60_000, owner: 'leaving', records, wording, logger, resume });
    const row = await store.createJob({ id: `job-${++counter}`, kind, collectionKey: null, params: {}, claim: first.newClaim() });
    const g = gate();
    void first.submit(row, g.work);
    await g.started;
    await first.close();
    expect(g.sawAbort()).toBe(true);
    const released = (await store.getJob(row.id))!;
    expect(released).toMatchObject({ status: 'RUNNING', owner: 'leaving', attempts: 1 });
    expect(released.leaseUntil!.getTime()).toBeLessThan(Date.now());
    const heir = new JobRunner<Update>({ heartbeatMs: 50, staleMs: 60_000, owner: 'heir', records, wording, logger, resume });
    try {
      for (let i = 0; i < 40 && (await store.getJob(row.id))?.status !== 'SUCCEEDED'; i++) await sleep(50);
      expect(await store.getJob(row.id)).toMatchObject({ status: 'SUCCEEDED', owner: 'heir', attempts: 2, result: { by: 'heir' } });
    } finally {
      await heir.close();
    }
  });

  it('as the sole process, takes over at once a job left by a killed process whose lease has not ended yet', async () => {
    const kind = `${KIND}-sole`;
    const row = await store.createJob({
      id: `job-${++counter}`, kind, collectionKey: null, params: {}, claim: { owner: 'killed', leaseUntil: new Date(Date.now() + 60_000) },
    });
    await store.updateJob(row.id, { status: 'RUNNING', progress: 0.5 });
    const resume = async () => ({ collectionKey: null, work: async (ctx: JobContext<Update>) => ctx.update({ status: 'SUCCEEDED', progress: 1 }) });
    const shared = new JobRunner<Update>({ heartbeatMs: 50, staleMs: 60_000, owner: 'shared', records: jobRecords(store, kind), wording, logger, resume });
    await sleep(200);
    // one of several processes waits for the lease to end
    expect(await store.getJob(row.id)).toMatchObject({ status: 'RUNNING', owner: 'killed' });
    await shared.close();
    const sole = new JobRunner<Update>({ heartbeatMs: 50, staleMs: 60_000, owner: 'restarted', soleProcess: true, records: jobRecords(store, kind), wording, logger, resume });
    try {
      for (let i = 0; i < 40 && (await store.getJob(row.id))?.status !== 'SUCCEEDED'; i++) await sleep(50);
      expect(await store.getJob(row.id)).toMatchObject({ status: 'SUCCEEDED', owner: 'restarted', attempts: 2 });
    } finally {
      await sole.close();
    }
  });

  it('records FAILED, not run again, a job taken over more than maxAttempts times', async () => {
    const kind = `${KIND}-attempts`;
    const row = await store.createJob({ id: `job-${++counter}`, kind, collectionKey: null, params: {} });
    for (const owner of ['p1', 'p2']) await store.claimJobs({ kind, owner, now: new Date(Date.now() + 3_600_000), leaseUntil: new Date(0), limit: 1 });
    let ran = false;
    const jobs = new JobRunner<Update>({
      heartbeatMs: 50, maxAttempts: 2, owner: 'third', records: jobRecords(store, kind), wording, logger,
      resume: async () => ({ collectionKey: null, work: async () => { ran = true; } }),
    });
    try {
      for (let i = 0; i < 40 && (await store.getJob(row.id))?.status !== 'FAILED'; i++) await sleep(50);
      expect(await store.getJob(row.id)).toMatchObject({
        status: 'FAILED', owner: 'third', attempts: 3, error: 'this test job was stopped 2 times before it finished (its server stopped each time); run testJob again',
      });
      expect(ran).toBe(false);
    } finally {
      await jobs.close();
    }
  });
});
