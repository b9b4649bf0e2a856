import { describe, expect, it } from 'vitest';
import { callChannel, eventChannel, labEvents, labMethods } from '../../main/contract';
import { argSchemas } from '../../main/contract-schemas';
import { dispatchCall } from '../../main/dispatch';

describe('the contract', () => {
  it('lists each call and event once', () => {
    expect(new Set(labMethods).size).toBe(labMethods.length);
    expect(new Set(labEvents).size).toBe(labEvents.length);
  });

  it('has an argument schema for every call and no other', () => {
    expect(Object.keys(argSchemas).sort()).toEqual([...labMethods].sort());
  });

  it('derives distinct channel names', () => {
    const channels = [...labMethods.map(callChannel), ...labEvents.map(eventChannel)];
    expect(new Set(channels).size).toBe(channels.length);
  });

  it('dispatch refuses names outside the contract, even ones the engine object has', async () => {
    const lab = { close: async () => 'closed' } as never;
    expect(await dispatchCall(lab, 'close', [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatchCall(lab, '__proto__', [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('dispatch passes engine errors through with their code and message', async () => {
    const { LabError } = await import('../../main/errors');
    const lab = {
      getEngine: async () => {
        throw new LabError('ENGINE_UNAVAILABLE', 'No engine.');
      },
    } as never;
    expect(await dispatchCall(lab, 'getEngine', [])).toEqual({
      ok: false,
      error: { code: 'ENGINE_UNAVAILABLE', message: 'No engine.' },
    });
  });
});
