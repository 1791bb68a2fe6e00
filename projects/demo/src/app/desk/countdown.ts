/** Seconds left until `expiresAt`, one decimal, never negative: what the desk shows. */
export function secondsLeft(expiresAt: number, now: number): string {
  const left = Math.max(0, expiresAt - now) / 1000;
  return left.toFixed(1);
}
