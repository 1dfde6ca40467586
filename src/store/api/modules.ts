/**
 * Encoder modules loaded through `loadModule`: one record per module name, holding what another
 * process (or this one after a restart) needs to load the same module: the spec it was loaded
 * from and the sha256 its files had, which the loader then pins. The bundled default module is
 * never recorded (every process has it).
 */

/** A recorded module. */
export interface ModuleRecord {
  name: string;
  version: string;
  /** Directory, file: URL or http(s) URL it was loaded from (as given to loadModule). */
  source: string;
  /** sha256 over its files (hex), as computed when it was first loaded. */
  sha256: string;
  dims: number;
  createdAt: Date;
}

/** The module records of a store. */
export interface ModuleStore {
  /**
   * Records a loaded module unless its name is recorded already, and returns the name's record
   * (this one, or the earlier one: compare before trusting it). On PostgreSQL a new record sends a
   * `module` change notice in its transaction.
   */
  recordModule(m: Omit<ModuleRecord, 'createdAt'>): Promise<ModuleRecord>;
  /** Every recorded module, ordered by name. */
  listModules(): Promise<ModuleRecord[]>;
}

/** The methods of ModuleStore (the binder's list; the compiler keeps it complete). */
export const MODULE_METHODS: Record<keyof ModuleStore, true> = { recordModule: true, listModules: true };
