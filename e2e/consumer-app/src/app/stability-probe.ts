import { type ApplicationRef } from '@angular/core';

/** What the end-to-end test reads from the page: is the app stable, and how often has it rendered. */
export interface StabilityProbe {
  /** The last value of `ApplicationRef.isStable`. */
  stable: boolean;
  /** Change-detection passes so far (counted by an `afterEveryRender` hook). */
  renders: number;
}

declare global {
  /** Read by the end-to-end test through `page.evaluate`. */
  var consumerProbe: StabilityProbe | undefined;
}

/** The page's probe, created on first use. */
export function stabilityProbe(): StabilityProbe {
  globalThis.consumerProbe ??= { stable: false, renders: 0 };
  return globalThis.consumerProbe;
}

/** Follows `isStable` into the probe (a zone.js app is stable once no macrotask is pending in its zone). */
export function watchStability(appRef: ApplicationRef): void {
  appRef.isStable.subscribe((stable) => (stabilityProbe().stable = stable));
}
