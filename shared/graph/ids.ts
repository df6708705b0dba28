/**
 * Graph object ids as Intune and Entra ID hand them out, and nothing else: a GUID, or one of the
 * documented composite forms — `<guid>_<Name>` (enrollment configurations such as
 * `<guid>_DefaultLimit`, `<guid>_DefaultPlatformRestrictions`) and `<Letter>_<guid>` (app protection
 * and app configuration policies: `T_<guid>`, `A_<guid>`, `I_<guid>`). No dots, slashes, percent signs
 * or spaces can pass, so an id can never rewrite the URL it is put into (`.`/`..` used to go one level up).
 *
 * Pure predicates so the operation input schemas may reuse them (shared/operations/module.ts).
 */
const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const GUID_RE = new RegExp(`^${GUID}$`);
const POLICY_ID_RE = new RegExp(`^(?:${GUID}(?:_[A-Za-z][A-Za-z0-9]{0,99})?|[A-Za-z]_${GUID})$`);

/** A directory object id (groups): a GUID. */
export function isGraphGuid(id: unknown): id is string {
  return typeof id === 'string' && GUID_RE.test(id);
}

/** An Intune policy id: a GUID, `<guid>_<Name>` or `<Letter>_<guid>`. */
export function isGraphPolicyId(id: unknown): id is string {
  return typeof id === 'string' && POLICY_ID_RE.test(id);
}

/** A group id is a GUID (Entra ID object ids are always GUIDs). */
export const isGraphGroupId = isGraphGuid;

export const GRAPH_POLICY_ID_MESSAGE = 'must be a Graph id: a GUID, <guid>_<Name> or <Letter>_<guid>';
export const GRAPH_GROUP_ID_MESSAGE = 'must be a Graph group id (a GUID)';
