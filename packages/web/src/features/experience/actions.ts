import { openPanel } from '../../app/panel-state.js';
import type { MessageAction } from '../messages/actions.js';

/** "Save as experience" on any message that still stands: the form opens in the panel. */
export const saveExperienceAction: MessageAction = {
  id: 'save-experience',
  label: 'Save as experience',
  icon: '💡',
  visible: (ctx) => ctx.message.deleted_at === null && ctx.message.kind === 'chat',
  run: (ctx) => { openPanel('save-experience', ctx.message.id); },
};
