// Keeps the address bar's hash equal to the config, so the URL is always a share link, and opens
// links: a bad one is reported (naming the key and allowed values) and the last valid config stays.
import { useEffect } from 'react';
import { ConfigError, parseLink, serializeConfig, type RunConfig } from '../core/config';
import { isActive, useLab } from './store';

function writeHash(config: RunConfig): void {
  const hash = serializeConfig(config);
  if (window.location.hash.slice(1) !== hash) window.history.replaceState(null, '', `#${hash}`);
}

/** Applies a share link (a URL hash) to the store; keys it lacks take the defaults. */
export function openLink(hash: string): void {
  const { config, status, setConfig, setConfigError } = useLab.getState();
  if (hash.replace(/^#/, '') === serializeConfig(config)) return;
  if (isActive(status)) {
    setConfigError('Link not opened: a run is in progress. Reset it first, then open the link again.');
    writeHash(config);
    return;
  }
  try {
    setConfig(parseLink(hash));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    setConfigError(`Link not applied, keeping the last valid settings. ${e.message}`);
    writeHash(config);
  }
}

/** Mirrors every config change into the hash and follows hash changes (pasted or opened links). */
export function useHashSync(): void {
  const config = useLab((s) => s.config);
  useEffect(() => writeHash(config), [config]);
  useEffect(() => {
    const onHashChange = () => openLink(window.location.hash);
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
}
