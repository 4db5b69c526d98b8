// Registers the service worker that keeps an offline copy of the built lab (code, workers and MNIST data)
// after one visit, for classrooms with poor Wi-Fi. From module code: the CSP allows no inline script.
export function keepOfflineCopy(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // Once the page has loaded, so that filling the cache does not slow the first visit down.
  window.addEventListener('load', () => {
    // Relative to the page, so the copy covers the folder the lab is served from.
    navigator.serviceWorker.register('./sw.js').catch((e: unknown) => {
      // The lab works without it: a browser that refuses service workers only goes without offline use.
      console.warn(`The lab keeps no offline copy in this browser: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
}
