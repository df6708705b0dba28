/**
 * The one base of every domain error: a stable, machine-readable `code`. The HTTP layer maps codes to
 * problem+json answers with one table (shared/http/problem.ts); workers and logs use the code too.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
