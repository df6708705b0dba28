/**
 * Memberships and invitations (issue 19).
 *
 * A membership is two items written together in ONE transaction: the user's side `USER#u / MEMBER#t`
 * (GET /me and the per-request membership check read it) and the tenant's side `TENANT#t / MEMBER#u`
 * (the member list). A tenant's owners are counted in `TENANT#t / QUOTA#OWNERS`: every change that
 * takes an owner away decrements it on condition that it stays ≥ 1, in the same transaction. Two
 * owners demoting each other at once both touch that counter; DynamoDB serializes the two
 * transactions (a TransactionConflict is retried by the table client), so the second one sees
 * `owners = 1` and fails with LastOwnerError: one owner always remains.
 *
 * Every change also carries a ConditionCheck that the acting user is STILL an owner (unless they
 * change their own membership, whose condition already says so), and its audit entry (a companion
 * Put built by the caller, shared/audit/audit.ts).
 *
 * An invitation is `TENANT#t / INVITE#<id>` (the tenant's pending list) plus `INVITEE#<email> /
 * TENANT#t` (one per email and tenant; where a sign-in looks for it), written and deleted together.
 * Both carry the TTL attribute: DynamoDB deletes expired items lazily ("typically within a few days",
 * up to 48 hours or more after expiry per the DynamoDB Developer Guide, "Working with Time to Live"),
 * so every read also checks `expiresAt` itself.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../runs/model.js';
import type { CompanionPut } from '../runs/ports.js';
import { keys, tenantPk, TTL_ATTRIBUTE } from './keys.js';
import { InvitationExistsError, LastOwnerError, MembershipChangedError, NoLongerOwnerError } from './errors.js';
import { companionItem } from './run-store.js';
import { TableClient, type Item, type Page, type TxItem } from './table-client.js';
import { tableName } from './table.js';

export const INVITATION_TTL_DAYS = 14;

export interface Member {
  userId: string;
  name: string;
  role: Role;
  addedAt: string;
}

export interface Invitation {
  id: string;
  tenantId: string;
  tenantName: string;
  /** lower-cased */
  email: string;
  role: Role;
  invitedBy: { userId: string; name: string };
  createdAt: string;
  expiresAt: string;
}

const memberFrom = (i: Item): Member => ({ userId: i.userId, name: i.name, role: i.role, addedAt: i.addedAt });
const invitationFrom = (i: Item): Invitation => ({
  id: i.invitationId, tenantId: i.tenantId, tenantName: i.tenantName, email: i.email, role: i.role, invitedBy: i.invitedBy,
  createdAt: i.createdAt, expiresAt: new Date(Number(i[TTL_ATTRIBUTE]) * 1000).toISOString(),
});
const expired = (i: Invitation, now: Date) => Date.parse(i.expiresAt) <= now.getTime();
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** A condition of this module's own that failed: never leaves it. */
class Changed extends Error {}

const audited = (audit: CompanionPut): TxItem => companionItem(audit);

export class MemberStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  // ── memberships ──

  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<Member>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.tenantMemberPrefix } },
      limit,
      cursor: { scope: `members:${tenantId}`, value: cursor },
      map: memberFrom,
    });
    return { items, nextCursor };
  }

  async get(tenantId: string, userId: string): Promise<Member | null> {
    return this.t.get(keys.tenantMember(tenantId, userId), { kind: 'tenantMember', consistent: true, map: memberFrom });
  }

  /** The tenant's owners as counted (the last-owner rule). */
  async ownerCount(tenantId: string): Promise<number> {
    return (await this.t.get(keys.ownerCount(tenantId), { consistent: true, map: (i) => Number(i.owners ?? 0) })) ?? 0;
  }

  /**
   * Adds `user` with `role`, or changes their role. Answers the membership before (null: new) and
   * after; no write and no audit entry when the role is unchanged. LastOwnerError when it would demote
   * the last owner; NoLongerOwnerError when `actorId` stopped being an owner meanwhile.
   */
  async setRole(req: {
    tenantId: string; tenantName: string; user: { id: string; name: string }; role: Role; actorId: string; now: Date;
    audit: (before: Member | null, after: Member) => CompanionPut;
  }): Promise<{ before: Member | null; after: Member }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await this.get(req.tenantId, req.user.id);
      if (before && before.role === req.role) return { before, after: before };
      const after: Member = before ? { ...before, role: req.role } : { userId: req.user.id, name: req.user.name, role: req.role, addedAt: req.now.toISOString() };
      try {
        await this.t.transact([
          this.tenantSide(req.tenantId, after, before),
          { name: 'membership', op: { Put: { Item: userSideItem(req.user.id, req.tenantId, req.tenantName, req.role) } } },
          ...ownerDelta(req.tenantId, before?.role ?? null, req.role),
          ...actorCheck(req.tenantId, req.actorId, req.user.id),
          audited(req.audit(before, after)),
        ]);
        return { before, after };
      } catch (err) {
        if (!(err instanceof Changed)) throw err;
      }
    }
    throw new MembershipChangedError(req.user.id);
  }

  /** Removes a membership (both sides); null when there was none. LastOwnerError for the last owner. */
  async remove(req: { tenantId: string; userId: string; actorId: string; audit: (before: Member) => CompanionPut }): Promise<Member | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await this.get(req.tenantId, req.userId);
      if (!before) return null;
      try {
        await this.t.transact([
          {
            name: 'tenantMember',
            op: { Delete: { Key: keys.tenantMember(req.tenantId, req.userId), ConditionExpression: '#role = :role', ExpressionAttributeNames: { '#role': 'role' }, ExpressionAttributeValues: { ':role': before.role } } },
            onConditionFailed: () => new Changed(),
          },
          { name: 'membership', op: { Delete: { Key: keys.membership(req.userId, req.tenantId) } } },
          ...ownerDelta(req.tenantId, before.role, null),
          ...actorCheck(req.tenantId, req.actorId, req.userId),
          audited(req.audit(before)),
        ]);
        return before;
      } catch (err) {
        if (!(err instanceof Changed)) throw err;
      }
    }
    throw new MembershipChangedError(req.userId);
  }

  /**
   * Adds a membership unless the user already has one in the tenant (false then): the seed, and the
   * tenant's first owner when a tenant is created (with its audit entry, `audit`). Both sides, the
   * owner counter and the user's profile (if absent) in one transaction.
   */
  async addIfAbsent(req: { tenantId: string; tenantName: string; user: { id: string; name: string }; role: Role; now: Date; audit?: CompanionPut; others?: TxItem[] }): Promise<boolean> {
    const member: Member = { userId: req.user.id, name: req.user.name, role: req.role, addedAt: req.now.toISOString() };
    try {
      await this.t.transact([
        this.tenantSide(req.tenantId, member, null),
        { name: 'membership', op: { Put: { Item: userSideItem(req.user.id, req.tenantId, req.tenantName, req.role) } } },
        ...ownerDelta(req.tenantId, null, req.role),
        userProfileIfAbsent(req.user),
        ...(req.others ?? []),
        ...(req.audit ? [audited(req.audit)] : []),
      ]);
      return true;
    } catch (err) {
      if (err instanceof Changed) return false;
      throw err;
    }
  }

  /** The tenant's side of `after`: a Put if new (it must not exist), else an Update conditional on the role read. */
  private tenantSide(tenantId: string, after: Member, before: Member | null): TxItem {
    const Item = { ...keys.tenantMember(tenantId, after.userId), kind: 'tenantMember', tenantId, ...after };
    return before
      ? { name: 'tenantMember', op: { Put: { Item, ConditionExpression: '#role = :role', ExpressionAttributeNames: { '#role': 'role' }, ExpressionAttributeValues: { ':role': before.role } } }, onConditionFailed: () => new Changed() }
      : { name: 'tenantMember', op: { Put: { Item, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new Changed() };
  }

  // ── invitations ──

  /** A new pending invitation; InvitationExistsError while the email has an unexpired one to the tenant. */
  async invite(req: {
    tenantId: string; tenantName: string; email: string; role: Role; invitedBy: { userId: string; name: string }; id: string; now: Date;
    audit: (inv: Invitation) => CompanionPut;
  }): Promise<Invitation> {
    const email = req.email.toLowerCase();
    const expiresAt = new Date(req.now.getTime() + INVITATION_TTL_DAYS * 86_400_000);
    const inv: Invitation = {
      id: req.id, tenantId: req.tenantId, tenantName: req.tenantName, email, role: req.role, invitedBy: req.invitedBy,
      createdAt: req.now.toISOString(), expiresAt: expiresAt.toISOString(),
    };
    const fields = {
      invitationId: inv.id, tenantId: inv.tenantId, tenantName: inv.tenantName, email, role: inv.role, invitedBy: inv.invitedBy, createdAt: inv.createdAt,
      [TTL_ATTRIBUTE]: epoch(expiresAt),
    };
    await this.t.transact([
      {
        name: 'invitee',
        op: {
          Put: {
            Item: { ...keys.invitee(email, req.tenantId), kind: 'invitee', ...fields },
            // An expired invitation TTL has not deleted yet does not block a new one.
            ConditionExpression: 'attribute_not_exists(pk) OR #exp <= :now',
            ExpressionAttributeNames: { '#exp': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': epoch(req.now) },
          },
        },
        onConditionFailed: () => new InvitationExistsError(email),
      },
      { name: 'invitation', op: { Put: { Item: { ...keys.invitation(req.tenantId, inv.id), kind: 'invitation', ...fields }, ConditionExpression: 'attribute_not_exists(pk)' } } },
      ...actorCheck(req.tenantId, req.invitedBy.userId, null),
      audited(req.audit(inv)),
    ]);
    return inv;
  }

  /** The tenant's pending (unexpired) invitations, oldest first. */
  async listInvitations(tenantId: string, now: Date, limit: number, cursor?: string): Promise<Page<Invitation>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.invitationPrefix } },
      filter: { expression: '#exp > :now', names: { '#exp': TTL_ATTRIBUTE }, values: { ':now': epoch(now) } },
      limit,
      maxPages: 4,
      cursor: { scope: `invitations:${tenantId}`, value: cursor },
      map: invitationFrom,
    });
    return { items, nextCursor };
  }

  async getInvitation(tenantId: string, id: string, now: Date): Promise<Invitation | null> {
    const inv = await this.t.get(keys.invitation(tenantId, id), { kind: 'invitation', consistent: true, map: invitationFrom });
    return inv && !expired(inv, now) ? inv : null;
  }

  /** Revokes a pending invitation; null when there is none (or it expired). */
  async revoke(req: { tenantId: string; id: string; actorId: string; now: Date; audit: (inv: Invitation) => CompanionPut }): Promise<Invitation | null> {
    const inv = await this.getInvitation(req.tenantId, req.id, req.now);
    if (!inv) return null;
    try {
      await this.t.transact([...this.consume(inv), ...actorCheck(req.tenantId, req.actorId, null), audited(req.audit(inv))]);
      return inv;
    } catch (err) {
      if (err instanceof Changed) return null;
      throw err;
    }
  }

  /** The unexpired invitations of an email, one per tenant (a strongly consistent Query). */
  async pendingFor(email: string, now: Date): Promise<Invitation[]> {
    const all = await this.t.queryAll({ key: { pk: keys.inviteePk(email) }, consistent: true, map: invitationFrom });
    return all.filter((i) => !expired(i, now));
  }

  /**
   * Turns `inv` into a membership of `user` (both sides, owner counter, the user's profile if absent,
   * the invitation's two items deleted, the audit entry): exactly once — of two concurrent sign-ins
   * one commits, the other finds the invitation gone (false). A user who is already a member keeps
   * their role; the invitation is consumed all the same.
   */
  async accept(inv: Invitation, user: { id: string; name: string }, now: Date, audit: (member: Member, already: boolean) => CompanionPut): Promise<boolean> {
    const existing = await this.get(inv.tenantId, user.id);
    try {
      if (existing) {
        await this.t.transact([...this.consume(inv), audited(audit(existing, true))]);
      } else {
        const member: Member = { userId: user.id, name: user.name, role: inv.role, addedAt: now.toISOString() };
        await this.t.transact([
          ...this.consume(inv),
          this.tenantSide(inv.tenantId, member, null),
          { name: 'membership', op: { Put: { Item: userSideItem(user.id, inv.tenantId, inv.tenantName, inv.role) } } },
          ...ownerDelta(inv.tenantId, null, inv.role),
          userProfileIfAbsent(user),
          audited(audit(member, false)),
        ]);
      }
      return true;
    } catch (err) {
      if (err instanceof Changed) return false;
      throw err;
    }
  }

  /** Deletes both items of a pending invitation, on condition that it is still this one. */
  private consume(inv: Invitation): TxItem[] {
    return [
      { name: 'invitation', op: { Delete: { Key: keys.invitation(inv.tenantId, inv.id), ConditionExpression: 'attribute_exists(pk)' } }, onConditionFailed: () => new Changed() },
      {
        name: 'invitee',
        op: { Delete: { Key: keys.invitee(inv.email, inv.tenantId), ConditionExpression: '#id = :id', ExpressionAttributeNames: { '#id': 'invitationId' }, ExpressionAttributeValues: { ':id': inv.id } } },
        onConditionFailed: () => new Changed(),
      },
    ];
  }
}

/** The user's side of a membership (the item GET /me and the membership middleware read). */
export const userSideItem = (userId: string, tenantId: string, tenantName: string, role: Role) => ({
  ...keys.membership(userId, tenantId), kind: 'membership', userId, tenantId, tenantName, role,
});

const userProfileIfAbsent = (user: { id: string; name: string }): TxItem => ({
  name: 'user',
  op: {
    Update: {
      Key: keys.user(user.id),
      UpdateExpression: 'SET #kind = :kind, #userId = :id, #name = if_not_exists(#name, :name)',
      ExpressionAttributeNames: { '#kind': 'kind', '#userId': 'userId', '#name': 'name' },
      ExpressionAttributeValues: { ':kind': 'user', ':id': user.id, ':name': user.name },
    },
  },
});

/** The owner counter's move when a member's role goes from `from` to `to` (null: not a member). */
function ownerDelta(tenantId: string, from: Role | null, to: Role | null): TxItem[] {
  const was = from === 'owner';
  const is = to === 'owner';
  if (was === is) return [];
  if (is) {
    return [{
      name: 'ownerCount',
      op: { Update: { Key: keys.ownerCount(tenantId), UpdateExpression: 'ADD #n :one SET #kind = :kind', ExpressionAttributeNames: { '#n': 'owners', '#kind': 'kind' }, ExpressionAttributeValues: { ':one': 1, ':kind': 'ownerCount' } } },
    }];
  }
  return [{
    name: 'ownerCount',
    op: {
      Update: {
        Key: keys.ownerCount(tenantId), UpdateExpression: 'ADD #n :minus', ConditionExpression: '#n > :one',
        ExpressionAttributeNames: { '#n': 'owners' }, ExpressionAttributeValues: { ':minus': -1, ':one': 1 },
      },
    },
    onConditionFailed: () => new LastOwnerError(tenantId),
  }];
}

/** The acting user is still an owner (skipped when they act on their own membership: its own condition covers it). */
function actorCheck(tenantId: string, actorId: string, targetId: string | null): TxItem[] {
  if (actorId === targetId) return [];
  return [{
    name: 'actorIsOwner',
    op: { ConditionCheck: { Key: keys.tenantMember(tenantId, actorId), ConditionExpression: '#role = :owner', ExpressionAttributeNames: { '#role': 'role' }, ExpressionAttributeValues: { ':owner': 'owner' } } },
    onConditionFailed: () => new NoLongerOwnerError(tenantId),
  }];
}
