import { sql, type Expression, type SqlBool } from 'kysely';
import type { AppContext } from '../context.js';
import type { InterventionKind, TaskStatus } from '../db/schema.js';

/**
 * An agent's work history, and where people intervene across an org.
 *
 * Definitions, for every figure here:
 * - a task counts in a window when it was *created* in it; interventions count with their task;
 * - time to done: `finished_at − created_at` of tasks whose result was delivered and stands or was
 *   rejected (status `done` or `rejected`), as the median and the 90th percentile (PostgreSQL's
 *   `percentile_cont`, which interpolates);
 * - a task was *delivered* when it is `done` or `rejected`, or carries an intervention (people
 *   judge only delivered results, and a redo sends a delivered task back to the queue);
 * - rejection rate: delivered tasks rejected at least once ÷ delivered tasks; redo rate likewise
 *   with redos; `null` when nothing was delivered.
 * - rating: the mean of every person's current rating (1–5) of the window's tasks, each rating
 *   counting once, and how many there are; `null` average with none. A redo clears a task's ratings.
 *   Per day: the ratings given (or last changed) that day.
 */

export interface Figures {
  tasks: number;
  by_status: Record<TaskStatus, number>;
  time_to_done: { median_seconds: number | null; p90_seconds: number | null };
  delivered: number;
  rejection_rate: number | null;
  redo_rate: number | null;
  interventions: Record<InterventionKind, number>;
  rating: RatingFigures;
}

export interface RatingFigures {
  average: number | null;
  count: number;
}

export interface AgentStats {
  agent_id: string;
  window: { days: number; since: string };
  totals: Figures;
  channels: (Figures & { channel_id: string })[];
  /** UTC days with activity, oldest first: tasks created that day by their status now, and interventions made that day. */
  days: { day: string; created: number; done: number; failed: number; rejected: number; interventions: number; rating: RatingFigures }[];
}

const statuses: TaskStatus[] = ['queued', 'running', 'done', 'failed', 'rejected'];
const kinds: InterventionKind[] = ['reject', 'redo', 'edit'];

const hasIntervention = (kind?: InterventionKind) =>
  sql<SqlBool>`exists (select 1 from task_interventions i where i.task_id = t.id${kind ? sql` and i.kind = ${kind}` : sql``})`;
const delivered = sql<SqlBool>`(t.status in ('done', 'rejected') or ${hasIntervention()})`;
const countWhere = (condition: Expression<SqlBool>) => sql<number>`(count(*) filter (where ${condition}))::int`;
const secondsToDone = sql`extract(epoch from t.finished_at - t.created_at)::float8`;
const percentile = (p: number) =>
  sql<number | null>`percentile_cont(${sql.lit(p)}) within group (order by ${secondsToDone}) filter (where t.status in ('done', 'rejected') and t.finished_at is not null)`;
const utcDay = (column: 't.created_at' | 'i.created_at' | 'r.updated_at') => sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`;

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const emptyFigures = (): Figures => ({
  tasks: 0,
  by_status: { queued: 0, running: 0, done: 0, failed: 0, rejected: 0 },
  time_to_done: { median_seconds: null, p90_seconds: null },
  delivered: 0,
  rejection_rate: null,
  redo_rate: null,
  interventions: { reject: 0, redo: 0, edit: 0 },
  rating: noRating(),
});
const noRating = (): RatingFigures => ({ average: null, count: 0 });
const ratingColumns = [sql<number | null>`round(avg(r.score), 2)::float8`.as('average'), sql<number>`count(*)::int`.as('count')] as const;
const ratingOf = (row: { average: number | null; count: number }): RatingFigures => ({ average: row.average, count: row.count });

export function windowStart(days: number, now = new Date()): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

export async function agentStats(ctx: AppContext, agentId: string, days: number): Promise<AgentStats> {
  const since = windowStart(days);
  const tasks = ctx.db.selectFrom('tasks as t').where('t.agent_id', '=', agentId).where('t.created_at', '>=', since);
  const rated = tasks.innerJoin('task_ratings as r', 'r.task_id', 't.id');
  const [figures, interventions, daily, dailyInterventions, ratings, dailyRatings] = await Promise.all([
    tasks
      .select((eb) => [
        't.channel_id',
        sql<number>`grouping(t.channel_id)`.as('is_total'),
        sql<number>`count(*)::int`.as('tasks'),
        ...statuses.map((s) => countWhere(eb('t.status', '=', s)).as(s)),
        percentile(0.5).as('median'),
        percentile(0.9).as('p90'),
        countWhere(delivered).as('delivered'),
        countWhere(hasIntervention('reject')).as('rejected_tasks'),
        countWhere(hasIntervention('redo')).as('redone_tasks'),
      ])
      .groupBy(sql`grouping sets ((t.channel_id), ())`)
      .execute(),
    tasks
      .innerJoin('task_interventions as i', 'i.task_id', 't.id')
      .select(['t.channel_id', 'i.kind', sql<number>`grouping(t.channel_id)`.as('is_total'), sql<number>`count(*)::int`.as('n')])
      .groupBy(sql`grouping sets ((t.channel_id, i.kind), (i.kind))`)
      .execute(),
    tasks
      .select((eb) => [utcDay('t.created_at').as('day'), sql<number>`count(*)::int`.as('created'), ...(['done', 'failed', 'rejected'] as const).map((s) => countWhere(eb('t.status', '=', s)).as(s))])
      .groupBy(sql`1`)
      .execute(),
    tasks.innerJoin('task_interventions as i', 'i.task_id', 't.id').select([utcDay('i.created_at').as('day'), sql<number>`count(*)::int`.as('n')]).groupBy(sql`1`).execute(),
    rated.select(['t.channel_id', sql<number>`grouping(t.channel_id)`.as('is_total'), ...ratingColumns]).groupBy(sql`grouping sets ((t.channel_id), ())`).execute(),
    rated.select([utcDay('r.updated_at').as('day'), ...ratingColumns]).groupBy(sql`1`).execute(),
  ]);

  const byChannel = new Map<string, Figures>();
  let totals = emptyFigures();
  for (const row of figures) {
    const f: Figures = {
      tasks: row.tasks,
      by_status: { queued: row.queued, running: row.running, done: row.done, failed: row.failed, rejected: row.rejected },
      time_to_done: { median_seconds: row.median, p90_seconds: row.p90 },
      delivered: row.delivered,
      rejection_rate: rate(row.rejected_tasks, row.delivered),
      redo_rate: rate(row.redone_tasks, row.delivered),
      interventions: { reject: 0, redo: 0, edit: 0 },
      rating: noRating(),
    };
    if (row.is_total) totals = f;
    else byChannel.set(row.channel_id, f);
  }
  for (const row of interventions) {
    const target = row.is_total ? totals : byChannel.get(row.channel_id);
    if (target && kinds.includes(row.kind)) target.interventions[row.kind] = row.n;
  }
  for (const row of ratings) {
    const target = row.is_total ? totals : byChannel.get(row.channel_id);
    if (target) target.rating = ratingOf(row);
  }

  const dayMap = new Map<string, AgentStats['days'][number]>();
  const dayOf = (day: string) => {
    const entry = dayMap.get(day) ?? { day, created: 0, done: 0, failed: 0, rejected: 0, interventions: 0, rating: noRating() };
    dayMap.set(day, entry);
    return entry;
  };
  for (const d of daily) Object.assign(dayOf(d.day), { created: d.created, done: d.done, failed: d.failed, rejected: d.rejected });
  for (const d of dailyInterventions) dayOf(d.day).interventions = d.n;
  for (const d of dailyRatings) dayOf(d.day).rating = ratingOf(d);

  return {
    agent_id: agentId,
    window: { days, since: since.toISOString() },
    totals,
    channels: [...byChannel].map(([channel_id, f]) => ({ channel_id, ...f })).sort((x, y) => y.tasks - x.tasks || (x.channel_id < y.channel_id ? -1 : 1)),
    days: [...dayMap.values()].sort((x, y) => (x.day < y.day ? -1 : 1)),
  };
}

export interface InterventionCounts {
  interventions: number;
  reject: number;
  redo: number;
  edit: number;
}

export interface OrgInsights {
  window: { days: number; since: string };
  by_channel: (InterventionCounts & { channel_id: string })[];
  by_agent: (InterventionCounts & { agent_id: string })[];
  most_rejected: { agent_id: string; rejected_tasks: number; delivered: number; rejection_rate: number }[];
}

/**
 * Where people intervene most in the org: interventions made in the window, by channel and by agent;
 * and the most-rejected agents (tasks created in the window), by rejected tasks, then by rejection rate.
 * With `channelId`, the same figures for one channel's tasks.
 */
export async function orgInsights(ctx: AppContext, orgId: string, days: number, limit = 20, channelId?: string): Promise<OrgInsights> {
  const since = windowStart(days);
  const interventions = ctx.db
    .selectFrom('task_interventions as i')
    .innerJoin('tasks as t', 't.id', 'i.task_id')
    .where('t.org_id', '=', orgId)
    .$if(channelId !== undefined, (q) => q.where('t.channel_id', '=', channelId ?? ''))
    .where('i.created_at', '>=', since);
  const counts = [sql<number>`count(*)::int`.as('interventions'), ...kinds.map((k) => countWhere(sql<SqlBool>`i.kind = ${k}`).as(k))];
  const [byChannel, byAgent, rejected] = await Promise.all([
    interventions.select(['t.channel_id', ...counts]).groupBy('t.channel_id').orderBy('interventions', 'desc').orderBy('t.channel_id').limit(limit).execute(),
    interventions.select(['t.agent_id', ...counts]).groupBy('t.agent_id').orderBy('interventions', 'desc').orderBy('t.agent_id').limit(limit).execute(),
    ctx.db
      .selectFrom('tasks as t')
      .where('t.org_id', '=', orgId)
      .$if(channelId !== undefined, (q) => q.where('t.channel_id', '=', channelId ?? ''))
      .where('t.created_at', '>=', since)
      .select(['t.agent_id', countWhere(hasIntervention('reject')).as('rejected_tasks'), countWhere(delivered).as('delivered')])
      .groupBy('t.agent_id')
      .having(sql<SqlBool>`count(*) filter (where ${hasIntervention('reject')}) > 0`)
      .orderBy('rejected_tasks', 'desc')
      .orderBy(sql`(count(*) filter (where ${hasIntervention('reject')}))::float8 / count(*) filter (where ${delivered})`, 'desc')
      .orderBy('t.agent_id')
      .limit(limit)
      .execute(),
  ]);
  return {
    window: { days, since: since.toISOString() },
    by_channel: byChannel,
    by_agent: byAgent,
    most_rejected: rejected.map((r) => ({ ...r, rejection_rate: r.rejected_tasks / r.delivered })),
  };
}
