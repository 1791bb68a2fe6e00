/** The options of `ng add b2trader.identity.auth` (ng-add/schema.json). */
export interface NgAddOptions {
  /** The application to set up; the workspace's default project when not given. */
  project?: string;
  /** Where B2Trader's identity service is: `/` (the app's origin) or an absolute URL. */
  url: string;
  /** The OAuth client of the app. */
  clientId: string;
  /** The APIs that get the access token, comma-separated. */
  apis: string;
  /** Adds the development proxy (`proxy.conf.json` and the serve target's `proxyConfig`). */
  proxy: boolean;
  /** Where the development proxy sends /identity and /api. */
  proxyTarget: string;
  /** Adds `RenderMode.Client` server routes for the routes guarded by `identityAuthGuard`. */
  clientRenderGuardedRoutes: boolean;
}
