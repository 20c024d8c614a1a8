import { ChorusError } from '@chorus/sdk';

/** The message to show a person for a failed request. */
export function errorMessage(error: unknown): string {
  if (error instanceof ChorusError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
