import { useEffect, useState } from 'react';
import type { MemberView, RestClient } from '@chorus/sdk';

/** Object URLs by avatar URL: each version of an image is fetched once per page load (its URL changes with it). */
const loaded = new Map<string, Promise<string>>();

/**
 * A member's avatar, or their initials. The image is read through the SDK with
 * the person's token (avatars are for the org's members only, so a plain <img
 * src> without credentials cannot load it).
 */
export function Avatar({ member, rest, size = 32 }: { member: Pick<MemberView, 'display_name' | 'avatar_url'>; rest: RestClient; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    const url = member.avatar_url;
    setSrc(null);
    if (!url) return;
    let live = true;
    let pending = loaded.get(url);
    if (!pending) {
      pending = rest.avatar(url).then((blob) => URL.createObjectURL(blob));
      loaded.set(url, pending);
      pending.catch(() => loaded.delete(url));
    }
    pending.then((objectUrl) => { if (live) setSrc(objectUrl); }, () => undefined);
    return () => { live = false; };
  }, [member.avatar_url, rest]);
  const initials = member.display_name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]?.toUpperCase() ?? '').join('');
  const style = { width: size, height: size };
  return src
    ? <img className="avatar" src={src} alt="" style={style} />
    : <span className="avatar avatar-initials" aria-hidden="true" style={{ ...style, fontSize: size * 0.4 }}>{initials || '?'}</span>;
}
