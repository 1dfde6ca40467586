/** The binder (src/store/bind.ts): a dialect's plain functions become guarded capability methods. */
import { describe, expect, it } from 'vitest';
import { bind } from '../../src/store/bind.js';
import { AppError, InvariantError } from '../../src/errors.js';

interface Greeter {
  greet(name: string, times?: number): Promise<string>;
  fail(): Promise<void>;
}
const METHODS: Record<keyof Greeter, true> = { greet: true, fail: true };

/** A driver error as drizzle throws it: the SQL and its parameters in the message, the code on the cause. */
const driverError = () => new Error('Failed query: select * from secrets where name = $1\nparams: hunter2', {
  cause: Object.assign(new Error('no such table: secrets'), { code: 'SQLITE_ERROR' }),
});

describe('store binder', () => {
  it('calls each function with the context first and the arguments after, sync or async', async () => {
    const seen: unknown[] = [];
    const greeter = bind<{ prefix: string }, Greeter>({ prefix: 'hello' }, {
      greet: (ctx, name, times = 1) => {
        seen.push(ctx);
        return `${ctx.prefix} ${name}`.repeat(times);
      },
      fail: async () => {},
    }, METHODS);
    const result = greeter.greet('ada', 2);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe('hello adahello ada');
    expect(seen).toEqual([{ prefix: 'hello' }]);
    await expect(greeter.fail()).resolves.toBeUndefined();
  });

  it('binds only the listed methods, not other exports of a module', () => {
    const greeter = bind<null, Greeter>(null, { greet: async () => '', fail: async () => {}, helper: () => 1 } as never, METHODS);
    expect(Object.keys(greeter).sort()).toEqual(['fail', 'greet']);
  });

  it('masks a driver error, thrown or rejected, as "store: <method> failed (<code>)" with the driver error as cause', async () => {
    const greeter = bind<null, Greeter>(null, {
      greet: () => {
        throw driverError();
      },
      fail: async () => {
        throw driverError();
      },
    }, METHODS);
    for (const [name, call] of [['greet', () => greeter.greet('x')], ['fail', () => greeter.fail()]] as const) {
      const err = await call().then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toBe(`store: ${name} failed (SQLITE_ERROR)`);
      expect((err?.cause as Error).message).toBe('no such table: secrets');
    }
  });

  it('lets AppErrors and invariant failures through untouched', async () => {
    const conflict = new AppError('CONFLICT', 'collection "a" already exists');
    const broken = new InvariantError('outcome must hold clusters 0..1 in order');
    const greeter = bind<null, Greeter>(null, {
      greet: () => {
        throw conflict;
      },
      fail: () => {
        throw broken;
      },
    }, METHODS);
    await expect(greeter.greet('a')).rejects.toBe(conflict);
    await expect(greeter.fail()).rejects.toBe(broken);
  });

  it('refuses a dialect that lacks a function for a listed method', () => {
    expect(() => bind<null, Greeter>(null, { greet: async () => '' } as never, METHODS))
      .toThrow('the dialect has no function for store method fail');
  });
});
