// Web Worker entry of one data-parallel replica in the page: its own WebGPU device, data over fetch.
/// <reference lib="webworker" />
import { requestDevice } from '../gpu/device';
import { fetchAsset } from './fetch-asset';
import type { Endpoint } from './ports';
import { serveReplica } from './replica';

serveReplica({
  coordinator: self as unknown as Endpoint,
  requestDevice: () => requestDevice(navigator.gpu),
  readAsset: fetchAsset,
});
