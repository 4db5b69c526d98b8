// Entry of the lab page (named in index.html): opens the link in the address bar (a share link, a class's
// teacher link, or a join link, which opens the student page), checks WebGPU, and renders the app.
import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { openLink } from './share/hash-sync';
import { keepOfflineCopy } from './offline';
import { useLab } from './store';
import { servedByClassServer } from '../class/browser-connect';
import { classRoleOfPage } from './class/page-role';
import { useClass } from './class/class-store';
import { openClass, StudentApp } from './class/on-demand';
import { probeWebGpu } from './run/webgpu-support';
import './lab.css';

const role = classRoleOfPage();
// A reloaded teacher page has its run's share link in the address bar (its teacher link is in session storage).
if (role.kind === 'lab' || (role.kind === 'teach' && window.location.hash !== '')) openLink(window.location.hash);
if (role.kind === 'teach') void openClass(role.link);
void probeWebGpu().then((gpu) => useLab.getState().setGpu(gpu));
void servedByClassServer().then((available) => useClass.setState({ available }));
keepOfflineCopy();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {role.kind === 'join' ? <Suspense><StudentApp link={role.link} linkError={role.error} /></Suspense> : <App />}
  </StrictMode>,
);
