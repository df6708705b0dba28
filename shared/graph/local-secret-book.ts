/**
 * The local runtime's Graph secrets (issue 19): a name → entry book behind refs `local:<name>`, kept
 * in LOCAL_SECRETS_FILE (a 0600 JSON file under LOCAL_STATE_DIR, so it survives a restart of
 * `npm start`) or in memory when that is unset (LOCAL_IN_MEMORY=1, tests). The local secret writer
 * (secret-store.ts) writes it; LocalSecretResolver (secrets.ts) reads it.
 *
 * It behaves like Secrets Manager where the product relies on it: each entry keeps its creation
 * time (ListSecrets' `CreatedDate`, which the orphan reconciler ages secrets by), and `delete`
 * SCHEDULES the deletion with the recovery window instead of forgetting at once — a secret scheduled
 * for deletion can no longer be read (`get` answers undefined) or listed, `describe` still shows
 * its `deletionDate`, and the entry is dropped for good once that date has passed.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settings } from '../settings.js';

export const LOCAL_SECRET_PREFIX = 'local:';

/** The recovery window the local book keeps a deleted secret for (Secrets Manager's minimum, which DeleteSecret is sent with). */
const LOCAL_RECOVERY_MS = 7 * 24 * 3_600_000;

/** One secret: its value, when it was created and, once deleted, when the deletion becomes final. */
export interface LocalSecretEntry {
  value: string;
  createdAt: string;
  deletionDate?: string;
}
/** A book written before entries had dates held the value alone. */
type StoredEntry = LocalSecretEntry | string;
const entryOf = (e: StoredEntry): LocalSecretEntry => (typeof e === 'string' ? { value: e, createdAt: new Date(0).toISOString() } : e);

/** The local runtime's secrets: a name → entry book, in a file (0600) or in memory. */
export class LocalSecretBook {
  private memory: Record<string, StoredEntry> = {};
  constructor(private readonly file: string | undefined, private readonly clock: () => Date = () => new Date()) {}

  /** The value of a live secret (undefined when unknown or scheduled for deletion). */
  get(name: string): string | undefined {
    const e = this.entry(name);
    return e && !e.deletionDate ? e.value : undefined;
  }

  /** A secret's dates, live or scheduled for deletion (undefined once it is gone for good). */
  describe(name: string): Omit<LocalSecretEntry, 'value'> | undefined {
    const e = this.entry(name);
    return e && { createdAt: e.createdAt, ...(e.deletionDate ? { deletionDate: e.deletionDate } : {}) };
  }

  async put(name: string, value: string): Promise<string> {
    const all = this.read();
    const before = all[name] ? entryOf(all[name]) : undefined;
    all[name] = { value, createdAt: before?.createdAt ?? this.clock().toISOString() };
    this.write(all);
    return `${LOCAL_SECRET_PREFIX}${name}`;
  }

  /** Schedules the deletion of the secret behind a `local:` ref; one already scheduled or gone is done (idempotent). */
  async delete(ref: string): Promise<void> {
    if (!ref.startsWith(LOCAL_SECRET_PREFIX)) throw new Error(`not a local secret ref: ${ref}`);
    const name = ref.slice(LOCAL_SECRET_PREFIX.length);
    const all = this.read();
    if (!all[name]) return;
    const e = entryOf(all[name]);
    if (e.deletionDate) return;
    all[name] = { ...e, deletionDate: new Date(this.clock().getTime() + LOCAL_RECOVERY_MS).toISOString() };
    this.write(all);
  }

  /** The live secrets whose name starts with `prefix` (case-sensitive, as ListSecrets' name filter). */
  async *list(prefix: string): AsyncIterable<{ ref: string; name: string; createdAt: Date }> {
    for (const [name, stored] of Object.entries(this.read())) {
      const e = entryOf(stored);
      if (name.startsWith(prefix) && !e.deletionDate) yield { ref: `${LOCAL_SECRET_PREFIX}${name}`, name, createdAt: new Date(e.createdAt) };
    }
  }

  private entry(name: string): LocalSecretEntry | undefined {
    const stored = this.read()[name];
    return stored === undefined ? undefined : entryOf(stored);
  }

  /** Keeps the book, dropping the entries whose recovery window has passed. */
  private write(all: Record<string, StoredEntry>): void {
    const now = this.clock().toISOString();
    const kept = Object.fromEntries(Object.entries(all).filter(([, e]) => !(typeof e !== 'string' && e.deletionDate && e.deletionDate <= now)));
    if (!this.file) {
      this.memory = kept;
      return;
    }
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(kept), { mode: 0o600 });
    renameSync(tmp, this.file);
    chmodSync(this.file, 0o600);
  }

  private read(): Record<string, StoredEntry> {
    if (!this.file) return { ...this.memory };
    if (!existsSync(this.file)) return {};
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, StoredEntry>;
  }
}

const books = new Map<string, LocalSecretBook>();
/** The local secret book of this process's settings (LOCAL_SECRETS_FILE, or memory). */
export function localSecretBook(): LocalSecretBook {
  const file = settings().localSecretsFile ?? '';
  let book = books.get(file);
  if (!book) books.set(file, (book = new LocalSecretBook(file || undefined)));
  return book;
}
