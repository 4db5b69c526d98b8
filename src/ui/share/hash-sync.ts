// Keeps the address bar's hash equal to the share link (config, expect=, hide=), so the URL is always a
// share link, and opens links: a bad one is reported (naming the key) and the last valid state stays.
import { useEffect } from 'react';
import { ConfigError } from '../../core/config';
import { parseShareLink, serializeShareLink, type ShareLink } from '../../core/share-link';
import { useHiddenStore } from './hidden';
import { train } from '../run/run-controller';
import { isActive, useLab } from '../store';

/** The share link of the page as it stands; `autostart` is what the Share panel adds. */
export function currentLink(autostart = false): ShareLink {
  const { config, expect } = useLab.getState();
  return { config, expect: expect ?? undefined, autostart, hide: [...useHiddenStore.getState().hidden] };
}

function writeHash(): void {
  const hash = serializeShareLink(currentLink());
  if (window.location.hash.slice(1) !== hash) window.history.replaceState(null, '', `#${hash}`);
}

/**
 * Trains at once (autostart=1): the run's workers request their own devices while the page's WebGPU
 * check runs, so neither waits for the other. A page that already knows WebGPU is missing does not start
 * (the notice says why); any other failure reaches the user as the run's error.
 */
function trainWhenReady(): void {
  const { gpu, status } = useLab.getState();
  if (gpu.state === 'unavailable' || !('gpu' in navigator) || isActive(status)) return;
  train();
}

/** Applies a share link (a URL hash) to the page; keys it lacks take the defaults. */
export function openLink(hash: string): void {
  const { status, openShared, setConfigError } = useLab.getState();
  if (hash.replace(/^#/, '') === serializeShareLink(currentLink())) return;
  if (isActive(status)) {
    setConfigError('Link not opened: a run is in progress. Reset it first, then open the link again.');
    writeHash();
    return;
  }
  try {
    const link = parseShareLink(hash);
    openShared(link.config, link.expect ?? null);
    useHiddenStore.getState().setHidden(link.hide);
    writeHash();
    if (link.autostart) trainWhenReady();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    setConfigError(`Link not applied, keeping the last valid settings. ${e.message}`);
    writeHash();
  }
}

/** Mirrors every change of the link into the hash and follows hash changes (pasted or opened links). */
export function useHashSync(): void {
  const config = useLab((s) => s.config);
  const expect = useLab((s) => s.expect);
  const hidden = useHiddenStore((s) => s.hidden);
  useEffect(writeHash, [config, expect, hidden]);
  useEffect(() => {
    const onHashChange = () => openLink(window.location.hash);
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
}
