import type { ZodError, ZodType } from 'zod';
import { AppError } from '../errors';

export const zodDetails = (err: ZodError) =>
  err.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code }));

/** Parses untrusted input; a failure is a 400 listing every issue with its path. */
export function validate<T>(schema: ZodType<T>, input: unknown, what = 'input'): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('VALIDATION_FAILED', `invalid ${what}`, zodDetails(result.error));
  return result.data;
}
