// Runs in the sandboxed preload: exposes window.lab and nothing else.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildLabBridge } from './lab-bridge';

contextBridge.exposeInMainWorld('lab', buildLabBridge(ipcRenderer, webUtils));
