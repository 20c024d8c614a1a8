import type { Author } from '@chorus/protocol/views';
import { openPanel } from '../../app/panel-state.js';

/** A message's author name: opens their profile card (an agent's shows its sponsor and capability card). */
export function AuthorName({ author }: { author: Author }) {
  return (
    <button type="button" className="author link-button" onClick={() => { openPanel('profile', author.id); }} aria-label={`Profile of ${author.display_name}`}>
      {author.display_name}
    </button>
  );
}
