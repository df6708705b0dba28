/**
 * The local runtime's Graph secrets (issue 19): a name → value book behind refs `local:<name>`, kept
 * in LOCAL_SECRETS_FILE (a 0600 JSON file under LOCAL_STATE_DIR, so it survives a restart of
 * `npm start`) or in memory when that is unset (LOCAL_IN_MEMORY=1, tests). The local secret writer
 * (secret-store.ts) writes it; LocalSecretResolver (secrets.ts) reads it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settings } from '../settings.js';

export const LOCAL_SECRET_PREFIX = 'local:';

/** The local runtime's secrets: a name → value book, in a file (0600) or in memory. */
export class LocalSecretBook {
  private readonly memory = new Map<string, string>();
  constructor(private readonly file: string | undefined) {}

  get(name: string): string | undefined {
    if (!this.file) return this.memory.get(name);
    return this.read()[name];
  }

  async put(name: string, value: string): Promise<string> {
    if (!this.file) this.memory.set(name, value);
    else this.write({ ...this.read(), [name]: value });
    return `${LOCAL_SECRET_PREFIX}${name}`;
  }

  /** Forgets the secret behind a `local:` ref; one already gone is done (idempotent). */
  async delete(ref: string): Promise<void> {
    if (!ref.startsWith(LOCAL_SECRET_PREFIX)) throw new Error(`not a local secret ref: ${ref}`);
    const name = ref.slice(LOCAL_SECRET_PREFIX.length);
    if (!this.file) {
      this.memory.delete(name);
      return;
    }
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }

  private write(all: Record<string, string>): void {
    mkdirSync(path.dirname(this.file!), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    renameSync(tmp, this.file!);
    chmodSync(this.file!, 0o600);
  }

  private read(): Record<string, string> {
    if (!this.file || !existsSync(this.file)) return {};
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
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

