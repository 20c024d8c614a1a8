import type { Trx } from '../db/database.js';

/**
 * A handle or org address from free text: lowercase, `[a-z0-9._-]`, at most 24 characters
 * (room for a `-N` suffix). Text with nothing usable in it (`日本`) gives `fallback`.
 */
export function slugifyHandle(text: string, fallback = 'member'): string {
  const base = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  return base || fallback;
}

/** The first free handle of the org derived from `wanted` (`ana`, `ana-2`, `ana-3`…). */
export async function freeHandle(trx: Trx, orgId: string, wanted: string): Promise<string> {
  const base = slugifyHandle(wanted);
  const taken = await trx
    .selectFrom('members')
    .select('handle')
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', [eb.ref('handle')]), 'like', `${base}%`))
    .execute();
  const used = new Set(taken.map((t) => t.handle.toLowerCase()));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

export async function handleTaken(trx: Trx, orgId: string, handle: string): Promise<boolean> {
  const row = await trx
    .selectFrom('members')
    .select('id')
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', [eb.ref('handle')]), '=', handle.toLowerCase()))
    .executeTakeFirst();
  return row !== undefined;
}
