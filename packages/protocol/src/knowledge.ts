import type { Author, MessageView } from './views.js';

/**
 * Pins and channel docs on the wire: REST answers and channel events carry
 * these shapes. Docs follow their channel's readers exactly.
 */

/** A pinned message: who pinned it, when, and why. */
export interface PinView {
  message_id: string;
  channel_id: string;
  pinned_by: string;
  pinned_at: string;
  /** An optional note (≤ 500 characters). */
  note: string | null;
  /** The seq of its `pin.added` event: pins list newest first by it. */
  seq: number;
}

/** A pin with its message, as `GET /channels/:id/pins` lists it (only messages the reader may read). */
export interface PinEntry {
  pin: PinView;
  message: MessageView;
}

/** A channel doc without its body: what lists and channel events carry. */
export interface DocSummary {
  id: string;
  org_id: string;
  channel_id: string;
  title: string;
  /** The current revision; an edit names the revision it started from. */
  revision: number;
  /** Whether this doc is its channel's guide for agents (it leads every context bundle there). */
  agent_guide: boolean;
  body_length: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  archived_at: string | null;
}

/** A channel doc with its markdown body (≤ 100,000 characters). */
export interface DocView extends DocSummary {
  body: string;
}

/** One revision of a doc. Lists leave out the body; `GET /docs/:id/revisions/:revision` has it. */
export interface DocRevisionView {
  doc_id: string;
  revision: number;
  title: string;
  author: Author;
  created_at: string;
  /** The revision this one restored, when it was a restore. */
  restored_from: number | null;
  body_length: number;
  body?: string;
}

/** A line-based diff between two revisions of a doc. */
export interface DocDiff {
  doc_id: string;
  from: number;
  to: number;
  title: { from: string; to: string };
  /** The body's changes as a unified diff (`--- rev N` / `+++ rev M`, hunks with 3 lines of context). */
  unified: string;
  hunks: { old_start: number; old_lines: number; new_start: number; new_lines: number; lines: string[] }[];
}
