import type { Task } from '../db/schema.js';
import { hasScope, isAgent, isHuman, isOrgAdmin, type Actor } from './actor.js';
import { canPost, canReadMessages, canSee, type ChannelAccess } from './channel.js';
import { all, allow, deny, hidden, type Decision } from './decision.js';

/**
 * Task rules, on top of the channel rules of the task's channel. A task is
 * channel content: whoever may not see the channel is told the task does not
 * exist. A task token (an actor with a boundary) acts on its own task only.
 */
export interface TaskAccess extends ChannelAccess {
  task: Pick<Task, 'id' | 'agent_id' | 'requester_id'>;
}

const peopleOnly = (t: TaskAccess) => (isHuman(t.actor) ? allow : deny(403, 'agents_not_allowed', "Only people judge an agent's work."));
const outOfScope = () => deny(403, 'task_token_out_of_scope', "A task token is good only for its own task's work.");

/** Seeing that the task exists: whoever can see its channel. Routes check this before the action's own rule. */
export function canSeeTask(t: TaskAccess): Decision {
  return canSee(t).allowed ? allow : hidden('task');
}
const visible = canSeeTask;

export function canReadTask(t: TaskAccess): Decision {
  return all(() => visible(t), () => canReadMessages(t));
}

/** Heartbeats, completing and failing: the assigned agent, with its own token or this task's token. */
export function canWorkOnTask(t: TaskAccess): Decision {
  return all(
    () => visible(t),
    () => (t.actor.boundary && t.actor.boundary.taskId !== t.task.id ? hidden('task') : allow),
    () => (isAgent(t.actor) && t.actor.member.id === t.task.agent_id ? allow : deny(403, 'not_assignee', 'Only the agent the task is assigned to can work on it.')),
    () => (hasScope(t.actor, 'messages:read') ? allow : deny(403, 'insufficient_scope', 'This token lacks the messages:read scope.')),
  );
}

/** Claiming mints a task token, so it takes the agent's own token: a task token cannot mint another. */
export function canClaimTask(t: TaskAccess): Decision {
  return all(() => canWorkOnTask(t), () => (t.actor.boundary ? outOfScope() : allow));
}

/**
 * Judging a result — rejecting it, asking for a redo, correcting it — is a
 * human intervention: the requester, the channel's owners and moderators, and
 * org admins who can see the channel.
 */
export function canJudgeTask(t: TaskAccess): Decision {
  return all(
    () => visible(t),
    () => peopleOnly(t),
    () =>
      t.task.requester_id === t.actor.member.id || t.membership?.role === 'owner' || t.membership?.role === 'moderator' || isOrgAdmin(t.actor)
        ? allow
        : deny(403, 'not_requester', "Only the requester, the channel's moderators and org admins can judge this task."),
  );
}

/**
 * Withdrawing one's own rating of a result: any person who can see the task, so that a person who rated
 * it as a moderator can still take the rating back after losing the role.
 */
export function canWithdrawRating(t: TaskAccess): Decision {
  return all(() => visible(t), () => peopleOnly(t));
}

/** Assigning work: posting the request in the channel, with a full token (a task token works on its task only). */
export function canAssignTask(a: ChannelAccess): Decision {
  return all(() => canPost(a), () => (a.actor.boundary ? outOfScope() : allow));
}

/** An agent's task list and work history: its sponsor, org admins, and the agent itself. */
export function canReadAgentWork(actor: Actor, agent: { id: string; sponsor_id: string }): Decision {
  if (actor.member.id === agent.id) return allow;
  if (isHuman(actor) && (actor.member.id === agent.sponsor_id || isOrgAdmin(actor))) return allow;
  return deny(403, 'not_sponsor', "Only the agent's sponsor, org admins and the agent itself can see its work.");
}

/** Where people intervene across the org: org owners and admins. */
export function canReadInsights(actor: Actor): Decision {
  return all(
    () => (isHuman(actor) ? allow : deny(403, 'agents_not_allowed', 'Agents cannot read org insights.')),
    () => (isOrgAdmin(actor) ? allow : deny(403, 'admin_required', 'Only org owners and admins can read org insights.')),
  );
}
