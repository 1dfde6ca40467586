/**
 * Stopping with the process that started this one. A parent that starts semhub with an IPC channel
 * (bin/semhub.js for the CLI, bench/server-process.ts for the servers of benches and tests) closes
 * it when it goes, however it goes: SIGKILL and timeouts included, which give it no chance to stop
 * its children. Then `onGone` runs (by default: SIGTERM to this process, so that each command stops
 * as it does on SIGTERM). The channel does not keep this process alive. Returns whether there is
 * such a parent. The portable way: Linux's PR_SET_PDEATHSIG needs a native addon.
 */
export function stopWithParent(onGone: () => void = () => process.kill(process.pid, 'SIGTERM')): boolean {
  if (!process.send) return false;
  process.once('disconnect', onGone);
  process.channel?.unref();
  return true;
}
