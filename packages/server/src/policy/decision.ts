import { AppError } from '../http/errors.js';

/** A policy answer. A denial carries the status and code the client sees, and the rule that denied. */
export type Decision =
  | { allowed: true }
  | { allowed: false; status: 403 | 404 | 409; code: string; message: string };

export const allow: Decision = { allowed: true };

export function deny(status: 403 | 404 | 409, code: string, message: string): Decision {
  return { allowed: false, status, code, message };
}

/** Hidden things are indistinguishable from missing ones. */
export const hidden = (what: string): Decision => deny(404, `${what}_not_found`, `No such ${what}.`);

/** Returns the first denial, or allow. Rules are evaluated in order, so put the cheapest first. */
export function all(...rules: (() => Decision)[]): Decision {
  for (const rule of rules) {
    const decision = rule();
    if (!decision.allowed) return decision;
  }
  return allow;
}

/** Throws the denial as the error the client sees. */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw new AppError(decision.status, decision.code, decision.message);
}
