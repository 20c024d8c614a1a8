import { expect } from 'vitest';
import type { Api } from './client.js';

/** Story-level helpers for agent tasks, over the public API. */

interface Caller {
  api: Api;
}

/** Assigns work to an agent through the API; returns the task detail (task, request, result). */
export async function assign(by: Caller, channelId: string, agentId: string, body = 'Summarise the thread, please.'): Promise<any> {
  const res = await by.api.post(`/channels/${channelId}/tasks`, { agent_id: agentId, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The agent claims the task with its own token; returns the task and a client holding the task token. */
export async function claim(agent: Caller, taskId: string): Promise<{ task: any; token: string; api: Api }> {
  const res = await agent.api.post(`/tasks/${taskId}/claim`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { task: res.body.task, token: res.body.token, api: agent.api.as(res.body.token) };
}

/** Claims the task, posts the result in its thread with the task token, and completes it. */
export async function finish(agent: Caller, taskId: string, body = 'Here is the summary.'): Promise<{ task: any; resultId: string }> {
  const { task, api } = await claim(agent, taskId);
  const posted = await api.post(`/channels/${task.channel_id}/messages`, { body, thread_root_id: task.thread_root_id });
  expect(posted.status, JSON.stringify(posted.body)).toBe(201);
  const done = await api.post(`/tasks/${taskId}/complete`, { result_message_id: posted.body.message.id });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return { task: done.body.task, resultId: posted.body.message.id };
}

/** The channel's tasks as `as` sees them (task details, newest first). */
export async function tasksIn(as: Caller, channelId: string, query = ''): Promise<any[]> {
  const res = await as.api.get(`/channels/${channelId}/tasks${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.tasks;
}
