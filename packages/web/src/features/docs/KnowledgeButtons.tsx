import type { ChannelView } from '@chorus/sdk';
import { openPanel } from '../../app/panel-state.js';
import { SearchBox } from '../search/SearchBox.js';
import { useFollowStreams } from '../agents/streams.js';
import './knowledge.css';

/** The channel header's tools: search, and the channel's pins, docs and experience in the panel. */
export function KnowledgeButtons({ channel }: { channel: ChannelView }) {
  // Stream chunks are kept from the moment a channel shows, before any message of it is rendered.
  useFollowStreams();
  // The buttons' names are their visible words (a speech-input user says what they see); titles expand them.
  return (
    <span className="knowledge-tools">
      <SearchBox />
      <button type="button" onClick={() => { openPanel('pins', channel.id); }} title="Pinned messages">Pins</button>
      <button type="button" onClick={() => { openPanel('docs', channel.id); }} title="Channel docs">Docs</button>
      <button type="button" onClick={() => { openPanel('experience', channel.id); }}>Experience</button>
    </span>
  );
}
