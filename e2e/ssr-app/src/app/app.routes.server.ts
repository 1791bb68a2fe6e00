import { RenderMode, type ServerRoute } from '@angular/ssr';

/**
 * `/` is public and prerendered at build time; `/blotter` is guarded and rendered in the
 * browser only, so that a signed-in reload never shows the server's signed-out page;
 * everything else (the guarded `/desk` included) is rendered per request.
 */
export const serverRoutes: ServerRoute[] = [
  { path: '', renderMode: RenderMode.Prerender },
  { path: 'blotter', renderMode: RenderMode.Client },
  { path: '**', renderMode: RenderMode.Server },
];
