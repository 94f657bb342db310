// The dashboard window's preload (sandboxed, context-isolated): exposes the control API as
// `window.switchyard`, the Bridge the renderer picks over HTTP when present. Bundled into one
// CommonJS file (dist/electron/preload.cjs) because sandboxed preloads can only require `electron`.
// The page never sees ipcRenderer itself, only these functions.
import { contextBridge, ipcRenderer } from 'electron';
import { createIpcBridge } from './preload-bridge.js';

contextBridge.exposeInMainWorld('switchyard', createIpcBridge(ipcRenderer));
