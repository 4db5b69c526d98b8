// Entry of the lab page (named in index.html): opens the link in the address bar, checks WebGPU,
// and renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { openLink } from './share/hash-sync';
import { keepOfflineCopy } from './offline';
import { useLab } from './store';
import { probeWebGpu } from './run/webgpu-support';
import './lab.css';

openLink(window.location.hash);
void probeWebGpu().then((gpu) => useLab.getState().setGpu(gpu));
keepOfflineCopy();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
