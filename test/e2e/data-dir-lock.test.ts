import { afterAll, describe, expect, it } from 'vitest';
import { gql, removeDir, startServerProcess, type ServerProcess } from '../support/server.js';

describe('one process per data directory', () => {
  const started: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.kill().catch(() => undefined)));
    if (started[0]) removeDir(started[0].dataDir);
  });

  it('refuses a second server on the same data directory, naming the holder, and takes the directory once the first is killed -9', async () => {
    const first = await startServerProcess();
    started.push(first);
    await gql(first.url, 'mutation { createCollection(name: "locked") { name } }');

    const second = startServerProcess({ dataDir: first.dataDir });
    await expect(second).rejects.toThrow(/server exited with 1 before listening/);
    await expect(second).rejects.toThrow(new RegExp(`data directory \\S*${first.dataDir.split('/').pop()} is already served by another semhub process \\(pid ${first.proc.pid},`));
    // The first is untouched by the refused start.
    expect((await gql(first.url, '{ collection(name: "locked") { name } }')).data.collection.name).toBe('locked');

    // kill -9 leaves no lock behind: the operating system drops it with the process.
    await first.kill();
    const third = await startServerProcess({ dataDir: first.dataDir });
    started.push(third);
    expect((await gql(third.url, '{ collection(name: "locked") { name } }')).data.collection.name).toBe('locked');
  });
});
