import { z } from 'zod';
import { labMethods, type CallResult, type LabApi, type LabMethod } from './contract';
import { argSchemas } from './contract-schemas';
import { LabError, toWireError } from './errors';

export function isLabMethod(name: unknown): name is LabMethod {
  return typeof name === 'string' && (labMethods as readonly string[]).includes(name);
}

/** Checks a call's arguments against its schema; the error names the call and the field. */
export function parseArgs(method: LabMethod, args: unknown): unknown[] {
  const parsed = argSchemas[method].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new LabError(
      'INVALID_ARGUMENT',
      `Invalid arguments for ${method}${where}: ${issue?.message ?? z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data as unknown[];
}

/**
 * The one way a front end's call reaches the engine: method checked against the contract,
 * arguments validated, errors turned into a `CallResult` the UI can show.
 */
export async function dispatchCall(lab: LabApi, method: unknown, args: unknown): Promise<CallResult<unknown>> {
  try {
    if (!isLabMethod(method)) throw new LabError('UNKNOWN_METHOD', `Unknown call: ${String(method)}`);
    const valid = parseArgs(method, args);
    const fn = lab[method] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: await fn.apply(lab, valid) };
  } catch (error) {
    return { ok: false, error: toWireError(error) };
  }
}
