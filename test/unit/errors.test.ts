import { AppError, ERROR_CODES, isErrorCode } from '../../src/kernel/errors';

describe('AppError and its codes', () => {
  it('recognises every listed code, and nothing else, as an error code', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    for (const other of ['', 'not_found', 'NOTFOUND', 'Error', undefined, null, 404]) {
      expect(isErrorCode(other)).toBe(false);
    }
  });

  it('lists the codes the HTTP edge maps, each once', () => {
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining([
        'VALIDATION_FAILED',
        'NOT_FOUND',
        'INSUFFICIENT_FUNDS',
        'IDEMPOTENCY_KEY_REUSED',
        'INTERNAL',
      ]),
    );
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(ERROR_CODES.every((c) => /^[A-Z]+(_[A-Z]+)*$/.test(c))).toBe(true);
  });

  it('is an Error named AppError carrying code, message and details', () => {
    const err = new AppError('INSUFFICIENT_FUNDS', 'insufficient balance', { balance: 5, required: 10 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AppError');
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.message).toBe('insufficient balance');
    expect(err.details).toEqual({ balance: 5, required: 10 });
    expect(String(err)).toBe('AppError: insufficient balance');
    expect(new AppError('NOT_FOUND', 'x').details).toBeUndefined();
  });
});
