import { describe, expect, it } from 'vitest';
import type { ChannelEventOf } from '@chorus/protocol/events';
import type { TaskRating, TaskView } from '@chorus/protocol/views';
import { applyTaskAnswer, applyTaskEvent, isOwnRating, isTaskEvent } from './tasks.js';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function task(rating: TaskRating, updatedAt = at(10)): TaskView {
  return {
    id: 't-1', org_id: 'org-1', channel_id: 'ch-1', agent_id: 'bot', requester_id: 'me', origin: 'mention', status: 'done',
    request_message_id: 'm-1', thread_root_id: 'm-1', result_message_id: 'm-2', attempts: 1, max_attempts: 3, lease_expires_at: null,
    failure_reason: null, command: null, command_args: null, created_at: at(0), claimed_at: at(1), finished_at: at(10), updated_at: updatedAt,
    interventions: [], rating,
  };
}

function rated(rating: Omit<TaskRating, 'mine'>, by: string): ChannelEventOf<'task.rated'> {
  return { org_id: 'org-1', channel_id: 'ch-1', seq: 9, type: 'task.rated', actor_id: by, created_at: at(20), payload: { task: task({ ...rating, mine: null }), rated_by: by } };
}

const mine = { score: 4, comment: 'Clear.', updated_at: at(15) };

describe('task views kept from task events', () => {
  it('someone else’s rating updates the average and the count and keeps my own rating', () => {
    const held = task({ average: 4, count: 1, mine });
    const event = rated({ average: 3, count: 2 }, 'lee');
    expect(isTaskEvent(event)).toBe(true);
    expect(isOwnRating(event, 'me')).toBe(false);
    expect(applyTaskEvent(held, event).rating).toEqual({ average: 3, count: 2, mine });
  });

  it('a task first heard of through an event has no rating of mine', () => {
    expect(applyTaskEvent(undefined, rated({ average: 5, count: 1 }, 'lee')).rating).toEqual({ average: 5, count: 1, mine: null });
  });

  it('ratings cleared by a redo clear mine too', () => {
    const held = task({ average: 4, count: 1, mine });
    const redone: ChannelEventOf<'task.updated'> = { ...rated({ average: null, count: 0 }, 'me'), type: 'task.updated', payload: { task: { ...task({ average: null, count: 0, mine: null }, at(30)), status: 'queued' } } };
    expect(applyTaskEvent(held, redone)).toMatchObject({ status: 'queued', rating: { average: null, count: 0, mine: null } });
  });

  it('my own rating from elsewhere is recognised; a REST answer, my own view, replaces the held one', () => {
    const event = rated({ average: 2, count: 1 }, 'me');
    expect(isOwnRating(event, 'me')).toBe(true);
    const changed = task({ average: 2, count: 1, mine: { score: 2, comment: null, updated_at: at(21) } });
    expect(applyTaskAnswer(task({ average: 4, count: 1, mine }), changed).rating.mine).toEqual({ score: 2, comment: null, updated_at: at(21) });
    // Withdrawn: the answer says I have no rating, while others' still count.
    expect(applyTaskAnswer(task({ average: 4, count: 2, mine }), task({ average: 3, count: 1, mine: null })).rating).toEqual({ average: 3, count: 1, mine: null });
  });

  it('an event older than the view held changes nothing', () => {
    const held = task({ average: 4, count: 1, mine }, at(40));
    expect(applyTaskEvent(held, rated({ average: 1, count: 1 }, 'lee'))).toBe(held);
  });
});
