/** GET /me/fleet: its query, its answer and its OpenAPI entry (the handler validates with these). */
import * as z from '../zod.js';
import { defineRoute, userRoute } from './api.js';
import { problemSchema, runListItem } from './schemas.js';

export const fleetQuery = z.strictObject({
  /** the window: runs created in the last `hours` hours */
  hours: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(72)), 24),
});

/** The answer's shape, for the OpenAPI document only: built when it is generated, never at a cold start. */
export const fleetResponse = () => {
  const outcomeCounts = z.object({ succeeded: z.number().check(z.int()), partially_succeeded: z.number().check(z.int()), failed: z.number().check(z.int()), cancelled: z.number().check(z.int()) });
  const fleetRun = z.extend(runListItem(), { tenantName: z.string() });
  return z.object({
    since: z.string(),
    tenants: z.array(
      z.object({
        tenantId: z.string(),
        name: z.string(),
        role: z.string(),
        summary: z.object({ byType: z.record(z.string(), outcomeCounts), totals: outcomeCounts }),
        truncated: z.boolean(),
      }),
    ),
    runs: z.array(fleetRun),
    truncated: z.boolean(),
  });
};

export const fleetRoute = defineRoute('GET /me/fleet', userRoute({ query: fleetQuery }), {
  summary: "All my tenants: active and failed runs of the window across the caller's tenants, newest first, and a summary per tenant (DB only, bounded reads)",
  responses: {
    200: { description: 'ok', schema: fleetResponse },
    400: { description: 'a bad `hours`', schema: problemSchema },
  },
});
