/**
 * The sanitizer's cost per typical failure message (issue 15, item 4; target ≤ 50 µs), with a few
 * registered secrets as a worker holds them (a client secret, an app token, the cursor key).
 */
import { sanitizeText } from '../../shared/runs/sanitize.js';
import { registerSecret } from '../../shared/runs/secret-registry.js';
import { benignCorpus } from '../support/secret-corpus.js';
import { fmt, median } from './harness.js';

export async function sanitizeBench(n = 20_000) {
  for (const s of ['fake-client-secret-for-bench-0001', 'fake-app-token-for-bench-0000000000000000000000', 'fake-cursor-key-for-bench']) registerSecret(s);
  const messages = benignCorpus(2_000, 42).filter((b) => b.kind === 'failure message').map((b) => b.value);
  messages.push(
    'Graph answered 401: {"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: 0f8fad5b-d9cb-469f-a165-70867728950e"}',
    'could not read item T_0f8fad5b-d9cb-469f-a165-70867728950e: Graph answered 403 Forbidden',
  );
  for (let i = 0; i < 2_000; i++) sanitizeText(messages[i % messages.length]); // warm up
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sanitizeText(messages[i % messages.length]);
    rounds.push(Number(process.hrtime.bigint() - t0) / 1_000 / n);
  }
  const avgLen = messages.reduce((a, m) => a + m.length, 0) / messages.length;
  console.log(`sanitizer: ${fmt(median(rounds), 1)} µs per typical failure message (median of 5 × ${n}, ${messages.length} messages, ~${Math.round(avgLen)} chars; target ≤ 50 µs)`);
}
