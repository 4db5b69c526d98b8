// MathML as React elements (never innerHTML): one small component per element the explanations use.
import { createElement, type ReactNode } from 'react';

type Props = { children?: ReactNode };
const element = (tag: string) => function MathElement({ children }: Props) {
  return createElement(tag, null, children);
};

export const Mi = element('mi');
export const Mn = element('mn');
export const Mo = element('mo');
export const Mrow = element('mrow');
export const Mfrac = element('mfrac');
export const Msqrt = element('msqrt');
export const Msup = element('msup');
export const Msub = element('msub');
export const Munderover = element('munderover');

/** A displayed formula with a text alternative for screen readers that do not read MathML. */
export function Formula({ label, children }: { label: string; children: ReactNode }) {
  return createElement('math', { display: 'block', 'aria-label': label }, children);
}
