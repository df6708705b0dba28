/** Local tokens (§10): HS256 with LOCAL_JWT_SECRET, claims `sub`, `name` and optionally `email`, verified with jose. */
import { SignJWT, jwtVerify } from 'jose';

export const LOCAL_ISSUER = 'operation-runs-local';
const secretKey = () => new TextEncoder().encode(process.env.LOCAL_JWT_SECRET ?? 'local-dev-secret');

export async function signLocalToken(user: { id: string; name: string; email?: string }, ttl = '12h'): Promise<string> {
  return new SignJWT(user.email ? { name: user.name, email: user.email } : { name: user.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(secretKey());
}

/**
 * The verified claims, or null for a missing, malformed, expired or wrongly signed token. §10 defines a
 * local token as HS256 with LOCAL_JWT_SECRET and the claims `sub` and `name` — nothing more — so a token
 * a user makes that way is accepted: the issuer /dev/login sets is not required.
 */
export async function verifyLocalToken(authorization: string | undefined): Promise<Record<string, unknown> | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return null;
  try {
    const { payload } = await jwtVerify(m[1], secretKey(), { algorithms: ['HS256'] });
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}
