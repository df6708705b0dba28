/** Where each policy category lives in Graph (SPEC §3 categories), relative to the tenant's base URL. */
import type { Category } from '../runs/catalog.js';

export const CATEGORY_PATHS: Record<Category, string> = {
  deviceConfigurations: 'deviceManagement/deviceConfigurations',
  deviceCompliancePolicies: 'deviceManagement/deviceCompliancePolicies',
  configurationPolicies: 'deviceManagement/configurationPolicies',
  groupPolicyConfigurations: 'deviceManagement/groupPolicyConfigurations',
  managedAppPolicies: 'deviceAppManagement/managedAppPolicies',
  deviceEnrollmentConfigurations: 'deviceManagement/deviceEnrollmentConfigurations',
};
