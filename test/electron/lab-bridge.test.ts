import { beforeEach, describe, expect, it, vi } from 'vitest';
import { contextBridge, ipcRenderer, resetElectronMock, webUtils } from '../mocks/electron';
import { callChannel, eventChannel, labMethods } from '../../main/contract';
import { buildLabBridge } from '../../electron/lab-bridge';

describe('buildLabBridge', () => {
  beforeEach(() => resetElectronMock());

  it('has exactly one function per contract method, plus on and pathForFile', () => {
    const bridge = buildLabBridge(ipcRenderer, webUtils);
    expect(Object.keys(bridge).sort()).toEqual([...labMethods, 'on', 'pathForFile'].sort());
    for (const method of labMethods) expect(typeof bridge[method]).toBe('function');
  });

  it('invokes the method’s own channel with its arguments', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { theme: 'dark' } });
    const bridge = buildLabBridge(ipcRenderer, webUtils);
    await expect(bridge.updateSettings({ theme: 'dark' })).resolves.toEqual({ ok: true, value: { theme: 'dark' } });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(callChannel('updateSettings'), { theme: 'dark' });
  });

  it('subscribes to declared events only and returns an unsubscribe', () => {
    const bridge = buildLabBridge(ipcRenderer, webUtils);
    const listener = vi.fn();
    const off = bridge.on('engine', listener);
    expect(ipcRenderer.on).toHaveBeenCalledWith(eventChannel('engine'), expect.any(Function));
    const wrapped = ipcRenderer.on.mock.calls[0]![1] as (event: unknown, payload: unknown) => void;
    wrapped({ sender: 'ignored' }, { name: 'tfjs' });
    expect(listener).toHaveBeenCalledWith({ name: 'tfjs' });
    off();
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith(eventChannel('engine'), wrapped);
    expect(() => bridge.on('nope' as 'engine', listener)).toThrow(/Unknown event/);
  });

  it('resolves dropped files with webUtils.getPathForFile', () => {
    const bridge = buildLabBridge(ipcRenderer, webUtils);
    expect(bridge.pathForFile({ name: 'cats' } as File)).toBe('/dropped/cats');
  });

  it('the preload exposes the bridge as window.lab and nothing else', async () => {
    await import('../../electron/preload');
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = contextBridge.exposeInMainWorld.mock.calls[0]!;
    expect(key).toBe('lab');
    expect(Object.keys(api as object).sort()).toEqual([...labMethods, 'on', 'pathForFile'].sort());
  });
});
