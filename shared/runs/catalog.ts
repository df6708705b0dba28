/**
 * The Intune policy categories the product knows (SPEC §3). The operation catalog itself — types,
 * labels, roles, input schemas, identities — is derived from the operation modules in
 * shared/operations/catalog.ts; this file holds only the category list that the domain, the Graph
 * client and the HTTP schemas share, so that none of them has to load the operation modules.
 */
export const CATEGORIES = [
  'deviceConfigurations',
  'deviceCompliancePolicies',
  'configurationPolicies',
  'groupPolicyConfigurations',
  'managedAppPolicies',
  'deviceEnrollmentConfigurations',
] as const;
export type Category = (typeof CATEGORIES)[number];
