/** The real-server harness lives beside the benches, which drive the server the same way. */
export * from '../../bench/server-process.js';
