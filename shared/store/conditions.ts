/** Helpers for conditional writes shared by the repositories. */

/** DynamoDB's TTL attribute holds epoch seconds. */
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
