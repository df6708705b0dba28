/**
 * X-Ray instrumentation of AWS SDK clients, opt-in per function (issue 18: Tracer only where it pays).
 *
 * Every deployed function runs with Lambda active tracing (infra/constructs/operation-function.ts),
 * so each invocation's segment — init and handler time — reaches X-Ray without any library. What
 * Powertools Tracer adds is one subsegment per AWS SDK call, at ~117 KiB of bundle (aws-xray-sdk-core,
 * cls-hooked, semver) and ~40 ms of cold import in every function. No function opts in today: with it
 * none fits the 400 KiB budget. A function that needs per-call subsegments imports
 * `shared/observability/xray.ts` at the top of its entry, which registers the Tracer here before the
 * first client is made (clients are created on first use).
 */
type Instrument = <T>(client: T) => T;

let instrument: Instrument = (client) => client;

/** Registers how clients are instrumented (xray.ts); clients made afterwards go through it. */
export function useClientTracing(fn: Instrument) {
  instrument = fn;
}

/** Instruments an AWS SDK v3 client when a function opted in to tracing; returns it unchanged otherwise. */
export function traced<T>(client: T): T {
  return instrument(client);
}
