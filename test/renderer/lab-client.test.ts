import { describe, expect, it, vi } from 'vitest';
import { labMethods, type CallResult, type LabBridge, type LabEvent, type LabEvents } from '../../main/contract';
import {
  bridgeTransport,
  createLabClient,
  isDisconnected,
  LabClientError,
  unwrap,
} from '../../renderer/src/lib/lab-client';

describe('unwrap', () => {
  it('returns the value of ok:true', () => {
    expect(unwrap({ ok: true, value: 42 })).toBe(42);
    expect(unwrap({ ok: true, value: undefined })).toBeUndefined();
  });

  it('throws a LabClientError carrying the code and the message as sent', () => {
    const error = (() => {
      try {
        unwrap({ ok: false, error: { code: 'DATA_DIR_UNWRITABLE', message: 'Cannot create the data folder /x.' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LabClientError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'LabClientError',
      code: 'DATA_DIR_UNWRITABLE',
      message: 'Cannot create the data folder /x.',
    });
  });

  it('never shows an empty message', () => {
    expect(() => unwrap({ ok: false, error: { code: 'X', message: '' } }, 'getEngine')).toThrow(
      '"getEngine" failed without saying why.',
    );
  });

  it('rejects things that are not a CallResult', () => {
    for (const bad of [null, undefined, 'x', {}, { ok: 'yes' }]) {
      expect(() => unwrap(bad as unknown as CallResult<unknown>, 'getLog')).toThrow(LabClientError);
    }
  });
});

/** A fake preload bridge: answers every call from `answers`, records subscriptions. */
function fakeBridge(answers: Partial<Record<string, CallResult<unknown>>>) {
  const listeners = new Map<LabEvent, Set<(payload: unknown) => void>>();
  const calls: [string, unknown[]][] = [];
  const bridge = Object.fromEntries(
    labMethods.map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push([method, args]);
        const answer = answers[method];
        if (!answer) throw new Error('An object could not be cloned.');
        return answer;
      },
    ]),
  ) as unknown as LabBridge;
  bridge.on = ((event: LabEvent, listener: (payload: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }) as LabBridge['on'];
  bridge.pathForFile = () => '/home/me/data/cats';
  const emit = <E extends LabEvent>(event: E, payload: LabEvents[E]): void => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  return { bridge, calls, listeners, emit };
}

describe('isDisconnected', () => {
  it('is true only for a LabClientError with the DISCONNECTED code', () => {
    expect(isDisconnected(new LabClientError('DISCONNECTED', 'The lab went away.'))).toBe(true);
    expect(isDisconnected(new LabClientError('INVALID_ARGUMENT', 'No.'))).toBe(false);
    expect(isDisconnected(Object.assign(new Error('x'), { code: 'DISCONNECTED' }))).toBe(false);
    expect(isDisconnected('DISCONNECTED')).toBe(false);
  });
});

describe('client over the Electron bridge', () => {
  it('has exactly the contract methods and passes arguments through', async () => {
    const { bridge, calls } = fakeBridge({ updateSettings: { ok: true, value: { theme: 'light' } } });
    const client = createLabClient(bridgeTransport(bridge));
    for (const method of labMethods) expect(typeof client[method]).toBe('function');
    await expect(client.updateSettings({ theme: 'light' })).resolves.toEqual({ theme: 'light' });
    expect(calls).toEqual([['updateSettings', [{ theme: 'light' }]]]);
    expect(client.kind).toBe('electron');
    expect(client.connection).toBe('connected');
  });

  it('unwraps ok:false the same way as the WebSocket transport', async () => {
    const { bridge } = fakeBridge({
      getEngine: { ok: false, error: { code: 'ENGINE_FAILED', message: 'tfjs-node could not load.' } },
    });
    const client = createLabClient(bridgeTransport(bridge));
    await expect(client.getEngine()).rejects.toMatchObject({
      code: 'ENGINE_FAILED',
      message: 'tfjs-node could not load.',
    });
  });

  it('turns a bridge failure into IPC_FAILED naming the call', async () => {
    const { bridge } = fakeBridge({});
    const client = createLabClient(bridgeTransport(bridge));
    const error = await client.listSamples().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabClientError);
    expect(error).toMatchObject({ code: 'IPC_FAILED' });
    expect((error as Error).message).toContain('"listSamples"');
  });

  it('subscribes once per event on the bridge and fans out; close() unsubscribes', () => {
    const { bridge, listeners, emit } = fakeBridge({});
    const client = createLabClient(bridgeTransport(bridge));
    const a = vi.fn();
    const b = vi.fn();
    const offA = client.on('menu', a);
    client.on('menu', b);
    expect(listeners.get('menu')?.size).toBe(1);
    emit('menu', { command: 'open-dataset', path: '/data/cats' });
    offA();
    emit('menu', { command: 'toggle-dark-mode' });
    expect(a).toHaveBeenCalledTimes(1);
    expect(a).toHaveBeenCalledWith({ command: 'open-dataset', path: '/data/cats' });
    expect(b).toHaveBeenCalledTimes(2);
    client.close();
    expect(listeners.get('menu')?.size).toBe(0);
  });

  it('resolves dropped files through the bridge', () => {
    const { bridge } = fakeBridge({});
    const client = createLabClient(bridgeTransport(bridge));
    expect(client.pathForFile({} as File)).toBe('/home/me/data/cats');
  });
});
