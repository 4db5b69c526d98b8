// Share links: config plus expect=, autostart= and hide=, round trip and refusals naming the key.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config';
import { parseShareLink, serializeShareLink } from './share-link';

const SHA = 'ab'.repeat(32);

describe('share links', () => {
  it('round-trips the config with expect, autostart and hide', () => {
    const link = { config: { ...DEFAULT_CONFIG, dataset: 'xor' as const, replicas: 2 }, expect: SHA, autostart: true, hide: ['lr', 'code'] };
    const text = serializeShareLink(link);
    expect(text).toMatch(/&expect=(ab){32}&autostart=1&hide=lr,code$/);
    expect(parseShareLink(`https://lab.example/#${text}`)).toEqual(link);
  });

  it('carries balance=speed, which a teacher can hide; a link without balance gets equal', () => {
    const link = { config: { ...DEFAULT_CONFIG, replicas: 4, balance: 'speed' as const }, autostart: false, hide: ['balance'] };
    const text = serializeShareLink(link);
    expect(text).toContain('&balance=speed&');
    expect(parseShareLink(text)).toEqual(link);
    expect(parseShareLink('replicas=4').config.balance).toBe('equal');
    expect(() => parseShareLink('balance=speed&shard=contiguous')).toThrow(/^balance: speed needs shard=strided/);
  });

  it('defaults: no expect, no autostart, nothing hidden', () => {
    expect(parseShareLink('#dataset=spiral')).toEqual({ config: { ...DEFAULT_CONFIG, dataset: 'spiral' }, autostart: false, hide: [] });
  });

  for (const [link, message] of [
    ['#expect=123', /^expect: must be a SHA-256/],
    ['#autostart=yes', /^autostart: must be 0 or 1/],
    ['#hide=lr,<script>', /^hide: unknown control "<script>"/],
    ['#hide=lr&hide=seed', /^hide: given more than once/],
    ['#lr=abc&autostart=1', /^lr: /],
  ] as const) {
    it(`refuses ${link}`, () => expect(() => parseShareLink(link)).toThrow(message));
  }
});
