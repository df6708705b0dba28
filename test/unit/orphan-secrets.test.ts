/**
 * Issue 19 follow-up: a Graph credential secret is never left live outside every tenant's reference.
 * The request path deletes the secret its refused or failed request wrote (unless the tenant names
 * it after all); the reconciler deletes, past a grace period, the secrets under the prefix that no
 * tenant names; the Secrets Manager adapter lists them by name prefix. The local book schedules a
 * deletion as Secrets Manager does (recovery window) instead of forgetting at once.
 */
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSecretLister } from '../../shared/graph/secret-lister.js';
import { LocalSecretBook } from '../../shared/graph/local-secret-book.js';
import { withCredentialSecret } from '../../shared/tenants/credential-secrets.js';
import { reconcileGraphSecrets, tenantOfSecretName, type SecretReconcilerDeps } from '../../shared/tenants/secret-reconciler.js';
import { METRIC_NAMES, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME } from '../../shared/observability/metric-names.js';
import { parseSettings, setSettings } from '../../shared/settings.js';

type Profile = { graph?: { secretRef: string }; pendingCredential?: { secretRef: string } };
const HOUR = 3_600_000;
const PREFIX = 'operation-runs/graph/Prod/';
const T0 = new Date('2026-11-27T10:00:00.000Z');

/** A book on a clock the test moves, and the tenant profiles as they are "now". */
function world(profiles: Record<string, Profile | null> = {}) {
  let now = T0;
  const book = new LocalSecretBook(undefined, () => now);
  const reads: string[] = [];
  return {
    book,
    profiles,
    at: (d: Date) => { now = d; },
    getTenant: async (t: string) => { reads.push(t); return (profiles[t] ?? null) as never; },
    reads,
    live: (ref: string) => book.get(ref.slice('local:'.length)) !== undefined,
    scheduled: (ref: string) => book.describe(ref.slice('local:'.length))?.deletionDate,
  };
}

describe('the local book schedules deletions as Secrets Manager does', () => {
  it('a deleted secret is unreadable and unlisted at once, described with its deletion date for the recovery window, then gone', async () => {
    const w = world();
    const ref = await w.book.put(`${PREFIX}contoso/01A`, '{"clientSecret":"fake"}');
    await w.book.delete(ref);
    expect(w.book.get(`${PREFIX}contoso/01A`)).toBeUndefined();
    expect(w.scheduled(ref)).toBe(new Date(T0.getTime() + 7 * 24 * HOUR).toISOString());
    const listed: string[] = [];
    for await (const s of w.book.list(PREFIX)) listed.push(s.ref);
    expect(listed).toEqual([]);
    await w.book.delete(ref); // already scheduled: done, the date does not move
    expect(w.scheduled(ref)).toBe(new Date(T0.getTime() + 7 * 24 * HOUR).toISOString());
    w.at(new Date(T0.getTime() + 8 * 24 * HOUR));
    await w.book.put('other', 'x'); // a write drops what is past its recovery window
    expect(w.book.describe(`${PREFIX}contoso/01A`)).toBeUndefined();
  });
});

describe('withCredentialSecret (the request path)', () => {
  const secret = { tenantId: 'contoso', name: `${PREFIX}contoso/01NEW`, value: '{"clientSecret":"fake-new"}' };

  it('a refused commit: the same error is rethrown and the secret it wrote is scheduled for deletion', async () => {
    const w = world({ contoso: { graph: { secretRef: 'local:current' } } });
    const refusal = Object.assign(new Error('A tenant with id "contoso" exists.'), { status: 409 });
    let written = '';
    await expect(withCredentialSecret({ getTenant: w.getTenant, secrets: w.book }, secret, async (ref) => { written = ref; throw refusal; })).rejects.toBe(refusal);
    expect(written).toBe(`local:${secret.name}`);
    expect(w.live(written)).toBe(false);
    expect(w.scheduled(written)).toBeDefined();
  });

  it('a commit that throws although it committed (the tenant names the secret now) keeps the secret', async () => {
    const w = world();
    const lostAnswer = new Error('socket hang up');
    await expect(withCredentialSecret({ getTenant: w.getTenant, secrets: w.book }, secret, async (ref) => {
      w.profiles.contoso = { graph: { secretRef: 'local:current' }, pendingCredential: { secretRef: ref } };
      throw lostAnswer;
    })).rejects.toBe(lostAnswer);
    expect(w.live(`local:${secret.name}`)).toBe(true);
  });

  it('a deletion that fails leaves the answer unchanged (the reconciler is the net); a commit that succeeds deletes nothing', async () => {
    const w = world();
    const refusal = new Error('refused');
    const unreadable = { getTenant: async () => { throw new Error('table unreachable'); }, secrets: w.book };
    await expect(withCredentialSecret(unreadable, secret, async () => { throw refusal; })).rejects.toBe(refusal);
    expect(w.live(`local:${secret.name}`)).toBe(true);
    const kept = { ...secret, name: `${PREFIX}contoso/01KEPT` };
    await expect(withCredentialSecret({ getTenant: w.getTenant, secrets: w.book }, kept, async (ref) => ref)).resolves.toBe(`local:${kept.name}`);
    expect(w.live(`local:${kept.name}`)).toBe(true);
    expect(w.reads).toEqual([]);
  });
});

describe('the orphan reconciler', () => {
  const GRACE = HOUR;
  const deps = (w: ReturnType<typeof world>, now: Date, more: Partial<SecretReconcilerDeps> = {}): SecretReconcilerDeps =>
    ({ getTenant: w.getTenant, secrets: w.book, lister: w.book, prefix: PREFIX, graceMs: GRACE, now, ...more });

  it('deletes an unreferenced secret older than the grace period; keeps the referenced (current, pending, by name), the young, the foreign', async () => {
    const w = world();
    const orphan = await w.book.put(`${PREFIX}contoso/01ORPHAN`, 'o');
    const current = await w.book.put(`${PREFIX}contoso/01CURRENT`, 'c');
    const pending = await w.book.put(`${PREFIX}fabrikam/01PENDING`, 'p');
    const byName = await w.book.put(`${PREFIX}tailspin/01BYNAME`, 'n');
    const gone = await w.book.put(`${PREFIX}deleted-tenant/01GONE`, 'g');
    const foreign = await w.book.put(`${PREFIX}not-a-tenant-secret`, 'f');
    const elsewhere = await w.book.put('operation-runs/graph/Other/contoso/01X', 'x');
    w.at(new Date(T0.getTime() + 30 * 60_000));
    const young = await w.book.put(`${PREFIX}contoso/01YOUNG`, 'y');
    Object.assign(w.profiles, {
      contoso: { graph: { secretRef: current } },
      fabrikam: { graph: { secretRef: 'local:elsewhere' }, pendingCredential: { secretRef: pending } },
      tailspin: { graph: { secretRef: `${PREFIX}tailspin/01BYNAME` } },
    });
    const result = await reconcileGraphSecrets(deps(w, new Date(T0.getTime() + GRACE + 60_000)));
    expect(result.deleted.sort()).toEqual([gone, orphan].sort());
    expect(result).toMatchObject({ examined: 7, young: 1, referenced: 3, foreign: 1, failed: 0, stoppedEarly: false });
    for (const ref of [orphan, gone]) expect(w.scheduled(ref), ref).toBeDefined();
    for (const ref of [current, pending, byName, young, foreign, elsewhere]) expect(w.live(ref), ref).toBe(true);
  });

  it('deletes nothing before the grace period has passed', async () => {
    const w = world();
    const orphan = await w.book.put(`${PREFIX}contoso/01ORPHAN`, 'o');
    const result = await reconcileGraphSecrets(deps(w, new Date(T0.getTime() + GRACE - 1)));
    expect(result).toMatchObject({ deleted: [], young: 1 });
    expect(w.live(orphan)).toBe(true);
  });

  it('a failure on one secret is counted and the others are still done; it stops when told to', async () => {
    const w = world();
    const a = await w.book.put(`${PREFIX}unreadable/01A`, 'a');
    const b = await w.book.put(`${PREFIX}contoso/01B`, 'b');
    const getTenant = async (t: string) => { if (t === 'unreadable') throw new Error('throttled'); return null; };
    const later = new Date(T0.getTime() + 2 * GRACE);
    const result = await reconcileGraphSecrets(deps(w, later, { getTenant }));
    expect(result).toMatchObject({ deleted: [b], failed: 1 });
    expect(w.live(a)).toBe(true);
    const stopped = await reconcileGraphSecrets(deps(w, later, { getTenant: async () => null, keepGoing: () => false }));
    expect(stopped).toMatchObject({ examined: 0, deleted: [], stoppedEarly: true });
    expect(w.live(a)).toBe(true);
  });

  it('reads the tenant out of `<prefix><tenant>/<stamp>` only', () => {
    expect(tenantOfSecretName(`${PREFIX}contoso/01ABC`, PREFIX)).toBe('contoso');
    expect(tenantOfSecretName(`${PREFIX}contoso`, PREFIX)).toBeUndefined();
    expect(tenantOfSecretName(`${PREFIX}a/b/c`, PREFIX)).toBeUndefined();
    expect(tenantOfSecretName(`operation-runs/graph/prod/contoso/01ABC`, PREFIX)).toBeUndefined();
  });
});

describe('the orphan reconciler\'s metrics (SecretReconcilerFailures alarms on them)', () => {
  const GRACE = HOUR;
  const later = new Date(T0.getTime() + 2 * GRACE);
  /** records what the reconciler hands to the metrics module */
  function sink() {
    const calls: Array<[string, number, Record<string, string>]> = [];
    return { calls, count: (name: string, dims: Record<string, string> = {}, value = 1) => { calls.push([name, value, dims]); } };
  }
  const deps = (w: ReturnType<typeof world>, more: Partial<SecretReconcilerDeps>): SecretReconcilerDeps =>
    ({ getTenant: w.getTenant, secrets: w.book, lister: w.book, prefix: PREFIX, graceMs: GRACE, now: later, ...more });

  it('counts per run what it deleted and what it could not check (profile read) or delete (DeleteSecret), once each', async () => {
    const w = world();
    const orphan = await w.book.put(`${PREFIX}contoso/01ORPHAN`, 'o');
    const unreadable = await w.book.put(`${PREFIX}unreadable/01A`, 'a');
    const undeletable = await w.book.put(`${PREFIX}locked/01L`, 'l');
    const getTenant = async (t: string) => { if (t === 'unreadable') throw new Error('throttled'); return null; };
    const secrets = { delete: async (ref: string) => { if (ref === undeletable) throw new Error('AccessDeniedException'); await w.book.delete(ref); } };
    const s = sink();
    const result = await reconcileGraphSecrets(deps(w, { getTenant, secrets, metrics: s as never }));
    expect(result).toMatchObject({ deleted: [orphan], failed: 2 });
    expect(s.calls).toEqual([
      [METRIC_NAMES.orphanSecretsDeleted, 1, {}],
      [METRIC_NAMES.orphanSecretsFailed, 2, {}],
    ]);
    expect(w.live(unreadable) && w.live(undeletable)).toBe(true);
  });

  it('a clean run reports zeros (a datapoint every run: the alarm reads 0, not missing data)', async () => {
    const w = world();
    await w.book.put(`${PREFIX}contoso/01CURRENT`, 'c');
    w.profiles.contoso = { graph: { secretRef: `local:${PREFIX}contoso/01CURRENT` } };
    const s = sink();
    expect(await reconcileGraphSecrets(deps(w, { metrics: s as never }))).toMatchObject({ referenced: 1, deleted: [], failed: 0 });
    expect(s.calls).toEqual([[METRIC_NAMES.orphanSecretsDeleted, 0, {}], [METRIC_NAMES.orphanSecretsFailed, 0, {}]]);
  });

  it('a listing that throws half-way still reports what the run did before, and the error reaches the function (its Errors metric)', async () => {
    const w = world();
    const orphan = await w.book.put(`${PREFIX}contoso/01ORPHAN`, 'o');
    const listingFails = new Error('ListSecrets: ThrottlingException');
    const lister = {
      async *list(prefix: string) {
        for await (const secret of w.book.list(prefix)) yield secret;
        throw listingFails;
      },
    };
    const s = sink();
    await expect(reconcileGraphSecrets(deps(w, { lister, metrics: s as never }))).rejects.toBe(listingFails);
    expect(w.scheduled(orphan)).toBeDefined();
    expect(s.calls).toEqual([[METRIC_NAMES.orphanSecretsDeleted, 1, {}], [METRIC_NAMES.orphanSecretsFailed, 0, {}]]);
  });

  it('by default they reach CloudWatch as EMF in the product namespace with the product-wide service dimension, as Counts', async () => {
    setSettings(parseSettings({ ...process.env, METRICS_DISABLED: '0' }));
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; });
    onTestFinished(() => { write.mockRestore(); setSettings(undefined); });
    const w = world();
    await w.book.put(`${PREFIX}unreadable/01A`, 'a');
    await reconcileGraphSecrets(deps(w, { getTenant: async () => { throw new Error('throttled'); } }));
    write.mockRestore();
    const emf = written.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(emf.map((e) => e._aws.CloudWatchMetrics[0])).toEqual([METRIC_NAMES.orphanSecretsDeleted, METRIC_NAMES.orphanSecretsFailed].map((name) => ({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [[SERVICE_DIMENSION]],
      Metrics: [{ Name: name, Unit: 'Count' }],
    })));
    expect(emf.map((e) => [e[SERVICE_DIMENSION], e[METRIC_NAMES.orphanSecretsDeleted], e[METRIC_NAMES.orphanSecretsFailed]]))
      .toEqual([[SERVICE_NAME, 0, undefined], [SERVICE_NAME, undefined, 1]]);
  });
});

describe('SecretsManagerSecretLister.list', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());
  const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`;

  it('pages through ListSecrets filtered by name prefix (scheduled deletions excluded by default) and answers ARN, name, creation date', async () => {
    const created = new Date('2026-11-27T08:00:00Z');
    const pages = [
      { SecretList: [{ ARN: arn(`${PREFIX}contoso/01A`), Name: `${PREFIX}contoso/01A`, CreatedDate: created }], NextToken: 'page-2' },
      { SecretList: [{ ARN: arn(`${PREFIX}fabrikam/01B`), Name: `${PREFIX}fabrikam/01B`, CreatedDate: created }, { ARN: arn('no-date'), Name: `${PREFIX}x/1` }] },
    ];
    const inputs: unknown[] = [];
    // The paginator reuses its input object: record a copy of each request as it is sent.
    sm.on(ListSecretsCommand).callsFake((input) => { inputs.push({ ...input }); return pages.shift(); });
    const listed = [];
    for await (const s of new SecretsManagerSecretLister(new SecretsManagerClient({ region: 'eu-west-1' })).list(PREFIX)) listed.push(s);
    expect(listed).toEqual([
      { ref: arn(`${PREFIX}contoso/01A`), name: `${PREFIX}contoso/01A`, createdAt: created },
      { ref: arn(`${PREFIX}fabrikam/01B`), name: `${PREFIX}fabrikam/01B`, createdAt: created },
    ]);
    expect(inputs).toEqual([
      { Filters: [{ Key: 'name', Values: [PREFIX] }], MaxResults: 100 },
      { Filters: [{ Key: 'name', Values: [PREFIX] }], MaxResults: 100, NextToken: 'page-2' },
    ]);
  });
});
