// For unit tests of domain rules: the AppError a call must throw.
import { AppError } from '../../src/domain/errors';

/** Runs fn and returns the AppError it must throw. */
export function appError(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}
