/** The store suite's job leases: claimJobs and renewJobLeases, on every dialect. */
import { describe, expect, it } from 'vitest';
import { uniqueName, type SuiteContext } from './suite-support.js';

const MINUTE = 60_000;

export function jobLeaseTests({ store, collection, open }: SuiteContext): void {
  describe('job leases', () => {
    const kind = () => uniqueName('lease-kind');

    it('creates jobs unclaimed: no owner, no lease, no attempts', async () => {
      const job = await store().createJob({ id: uniqueName('job'), kind: kind(), collectionKey: null, params: {} });
      expect(job).toMatchObject({ owner: null, leaseUntil: null, attempts: 0 });
      expect(await store().getJob(job.id)).toMatchObject({ owner: null, leaseUntil: null, attempts: 0 });
    });

    it('creates a job claimed by its creator (attempts 1) that nobody else claims while the lease holds', async () => {
      const k = kind();
      const t0 = Date.now();
      const leaseUntil = new Date(t0 + MINUTE);
      const job = await store().createJob({ id: uniqueName('job'), kind: k, collectionKey: null, params: {}, claim: { owner: 'creator', leaseUntil } });
      expect(job).toMatchObject({ owner: 'creator', leaseUntil, attempts: 1, status: 'PENDING' });
      expect(await store().claimJobs({ kind: k, owner: 'other', now: new Date(t0), leaseUntil, limit: 5 })).toEqual([]);
      const c = await collection('lease-clu');
      const clu = await store().createClustering({
        id: uniqueName('clu'), collectionKey: c.key, params: { kRequested: 2, seed: 1, restarts: 1, filter: null, evaluateAgainst: null }, claim: { owner: 'creator', leaseUntil },
      });
      expect(await store().getJob(clu.id)).toMatchObject({ kind: 'cluster', owner: 'creator', leaseUntil, attempts: 1 });
    });

    it('never sweeps a job whose lease holds as stale; it does once the lease ended', async () => {
      const k = kind();
      const c = await collection('lease-stale');
      const t0 = Date.now();
      const held = { owner: 'live', leaseUntil: new Date(t0 + MINUTE) };
      const ended = { owner: 'dead', leaseUntil: new Date(t0 - 1) };
      const live = await store().createJob({ id: uniqueName('live'), kind: k, collectionKey: null, params: {}, claim: held });
      const dead = await store().createJob({ id: uniqueName('dead'), kind: k, collectionKey: null, params: {}, claim: ended });
      const cutoff = new Date(t0 + MINUTE);
      expect(await store().failStaleJobs(k, cutoff, 'stale')).toEqual([dead.id]);
      expect(await store().getJob(live.id)).toMatchObject({ status: 'PENDING', owner: 'live' });
      const params = { kRequested: 2, seed: 1, restarts: 1, filter: null, evaluateAgainst: null };
      const liveClu = await store().createClustering({ id: uniqueName('clu'), collectionKey: c.key, params, claim: held });
      const deadClu = await store().createClustering({ id: uniqueName('clu'), collectionKey: c.key, params, claim: ended });
      const failed = await store().failStaleClusterings(cutoff, 'stale');
      expect(failed).toContain(deadClu.id);
      expect(failed).not.toContain(liveClu.id);
      expect(await store().getClustering(liveClu.id)).toMatchObject({ status: 'PENDING' });
      expect(await store().getJob(deadClu.id)).toMatchObject({ status: 'FAILED', error: 'stale' });
    });

    it('releases an owner\'s leases when renewed to a past time', async () => {
      const k = kind();
      const t0 = Date.now();
      const job = await store().createJob({ id: uniqueName('job'), kind: k, collectionKey: null, params: {}, claim: { owner: 'leaving', leaseUntil: new Date(t0 + MINUTE) } });
      expect(await store().renewJobLeases('leaving', new Date(0))).toEqual([job.id]);
      const taken = await store().claimJobs({ kind: k, owner: 'heir', now: new Date(), leaseUntil: new Date(t0 + MINUTE), limit: 1 });
      expect(taken).toMatchObject([{ id: job.id, owner: 'heir', attempts: 2 }]);
    });

    it('deletes clusterings while another connection refreshes them (a running job\'s heartbeat), without a deadlock', async () => {
      const c = await collection('lease-delete');
      const owner = await open();
      try {
        for (let i = 0; i < 20; i++) {
          const clu = await store().createClustering({ id: uniqueName('clu'), collectionKey: c.key, params: { kRequested: 2, seed: 1, restarts: 1, filter: null, evaluateAgainst: null } });
          let deleted = false;
          const heartbeat = (async () => {
            while (!deleted) {
              await owner.updateClustering(clu.id, { status: 'RUNNING', progress: Math.random() / 2 });
              // SQLite answers at once: let the delete's timer run
              await new Promise((r) => setImmediate(r));
            }
          })();
          await new Promise((r) => setTimeout(r, 2));
          expect(await store().deleteClustering(clu.id)).toBe(true);
          deleted = true;
          await heartbeat;
          expect(await owner.getJob(clu.id)).toBeNull();
        }
      } finally {
        await owner.close();
      }
    });

    it('claims pending jobs oldest first, up to the limit, and not twice while the lease holds', async () => {
      const k = kind();
      const c = await collection('lease');
      const a = await store().createJob({ id: uniqueName('a'), kind: k, collectionKey: c.key, params: {} });
      const b = await store().createJob({ id: uniqueName('b'), kind: k, collectionKey: c.key, params: {} });
      await store().createJob({ id: uniqueName('other'), kind: kind(), collectionKey: c.key, params: {} });
      const now = new Date();
      const until = new Date(now.getTime() + MINUTE);
      const first = await store().claimJobs({ kind: k, owner: 'p1', now, leaseUntil: until, limit: 1 });
      expect(first.map((j) => j.id)).toEqual([a.id]);
      expect(first[0]).toMatchObject({ owner: 'p1', attempts: 1 });
      expect(first[0]!.leaseUntil?.getTime()).toBe(until.getTime());
      const rest = await store().claimJobs({ kind: k, owner: 'p2', now, leaseUntil: until, limit: 10 });
      expect(rest.map((j) => j.id)).toEqual([b.id]);
      expect(await store().claimJobs({ kind: k, owner: 'p3', now, leaseUntil: until, limit: 10 })).toEqual([]);
      expect(await store().getJob(a.id)).toMatchObject({ owner: 'p1', attempts: 1 });
    });

    it('claims one job by id, and never a finished one', async () => {
      const k = kind();
      const a = await store().createJob({ id: uniqueName('a'), kind: k, collectionKey: null, params: {} });
      const b = await store().createJob({ id: uniqueName('b'), kind: k, collectionKey: null, params: {} });
      await store().updateJob(a.id, { status: 'SUCCEEDED' });
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + MINUTE);
      expect(await store().claimJobs({ kind: k, owner: 'p1', now, leaseUntil, limit: 1, id: a.id })).toEqual([]);
      expect((await store().claimJobs({ kind: k, owner: 'p1', now, leaseUntil, limit: 5, id: b.id })).map((j) => j.id)).toEqual([b.id]);
    });

    it('claims a job again once its lease expired, with attempts + 1', async () => {
      const k = kind();
      const job = await store().createJob({ id: uniqueName('job'), kind: k, collectionKey: null, params: {} });
      const t0 = Date.now();
      await store().claimJobs({ kind: k, owner: 'dead', now: new Date(t0), leaseUntil: new Date(t0 + MINUTE), limit: 1 });
      await store().updateJob(job.id, { status: 'RUNNING' });
      // before the lease ends nobody else gets it; after, the next owner does
      expect(await store().claimJobs({ kind: k, owner: 'heir', now: new Date(t0 + MINUTE - 1), leaseUntil: new Date(t0 + 2 * MINUTE), limit: 1 })).toEqual([]);
      const taken = await store().claimJobs({ kind: k, owner: 'heir', now: new Date(t0 + MINUTE + 1), leaseUntil: new Date(t0 + 3 * MINUTE), limit: 1 });
      expect(taken).toHaveLength(1);
      expect(taken[0]).toMatchObject({ id: job.id, owner: 'heir', attempts: 2, status: 'RUNNING' });
      expect(await store().getJob(job.id)).toMatchObject({ owner: 'heir', attempts: 2, leaseUntil: new Date(t0 + 3 * MINUTE) });
    });

    it('renews only the leases of the owner, of unfinished jobs', async () => {
      const k = kind();
      const mine = await store().createJob({ id: uniqueName('mine'), kind: k, collectionKey: null, params: {} });
      const done = await store().createJob({ id: uniqueName('done'), kind: k, collectionKey: null, params: {} });
      const theirs = await store().createJob({ id: uniqueName('theirs'), kind: k, collectionKey: null, params: {} });
      const owner = uniqueName('owner');
      const other = uniqueName('other');
      const t0 = Date.now();
      const lease = new Date(t0 + MINUTE);
      await store().claimJobs({ kind: k, owner, now: new Date(t0), leaseUntil: lease, limit: 1, id: mine.id });
      await store().claimJobs({ kind: k, owner, now: new Date(t0), leaseUntil: lease, limit: 1, id: done.id });
      await store().claimJobs({ kind: k, owner: other, now: new Date(t0), leaseUntil: lease, limit: 1, id: theirs.id });
      await store().updateJob(done.id, { status: 'SUCCEEDED' });
      const renewed = new Date(t0 + 5 * MINUTE);
      expect(await store().renewJobLeases(owner, renewed)).toEqual([mine.id]);
      expect((await store().getJob(mine.id))!.leaseUntil).toEqual(renewed);
      expect((await store().getJob(done.id))!.leaseUntil).toEqual(lease);
      expect(await store().getJob(theirs.id)).toMatchObject({ owner: other, leaseUntil: lease, attempts: 1 });
    });
  });
}
