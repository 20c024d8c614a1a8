import { AppError } from '../http/errors.js';

/** A policy answer. A denial carries the status and code the client sees, and the rule that denied. */
export type Decision =
  | { allowed: true }
  | { allowed: false; status: 403 | 404 | 409; code: string; message: string; details?: unknown };

export const allow: Decision = { allowed: true };

/** `details` travel to the client in the error body (`error.details`): say which input was refused. */
export function deny(status: 403 | 404 | 409, code: string, message: string, details?: unknown): Decision {
  return details === undefined ? { allowed: false, status, code, message } : { allowed: false, status, code, message, details };
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

/** The denial as the error the client sees. */
export function refusal(decision: Decision & { allowed: false }): AppError {
  return new AppError(decision.status, decision.code, decision.message, decision.details);
}

/** Throws the denial as the error the client sees. */
export function enforce(decision: Decision): void {
  if (!decision.allowed) throw refusal(decision);
}
