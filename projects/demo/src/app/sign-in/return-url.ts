/** Where to go after signing in: the guard's `returnUrl` when it is an in-app path, else the desk. */
export function safeReturnUrl(returnUrl: string | null | undefined): string {
  if (typeof returnUrl !== 'string' || !returnUrl.startsWith('/')) return '/desk';
  // `//host` and `/\host` leave the app; the sign-in page itself would loop.
  if (/^\/[/\\]/.test(returnUrl) || /^\/sign-in(?:[/?#]|$)/.test(returnUrl)) return '/desk';
  return returnUrl;
}
