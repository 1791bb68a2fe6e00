/**
 * The development proxy: `ng serve` sends /identity and /api to the identity service
 * (by default the emulator on its usual port), so that the app, the identity service
 * and the API share one origin in development as they do in production.
 */
import { posix } from 'node:path';

import { type Rule, SchematicsException } from '@angular-devkit/schematics';
import { type ProjectDefinition, readWorkspace, updateWorkspace } from '@schematics/angular/utility';

/** The paths the proxy forwards: the identity service and the API. */
export const PROXIED_PATHS = ['/identity', '/api'] as const;

type ProxyRoutes = Record<string, unknown>;

/** The routes of the proxy file with those it lacks added; the ones already there are left as they are. */
export function withProxyRoutes(existing: ProxyRoutes, target: string): ProxyRoutes {
  const merged: ProxyRoutes = { ...existing };
  for (const path of PROXIED_PATHS) {
    // changeOrigin false: the identity service sees the dev server's host, the origin the browser uses.
    merged[path] ??= { target, secure: false, changeOrigin: false };
  }
  return merged;
}

function checkTarget(target: string): void {
  let protocol = '';
  try {
    protocol = new URL(target).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new SchematicsException(`"proxyTarget" ${target} is not an http(s) URL.`);
  }
}

/** Writes (or completes) the proxy file and points the serve target's `proxyConfig` at it. */
export function addDevProxy(projectName: string, target: string): Rule {
  checkTarget(target);
  return async (tree, context) => {
    const project = await findProject(tree, projectName);
    const serve = project.targets.get('serve');
    const configured = serve?.options?.['proxyConfig'];
    const proxyFile = typeof configured === 'string' ? configured : posix.join(project.root, 'proxy.conf.json');

    const text = tree.exists(proxyFile) ? tree.readText(proxyFile) : null;
    let routes: ProxyRoutes = {};
    if (text !== null) {
      try {
        routes = JSON.parse(text) as ProxyRoutes;
      } catch {
        context.logger.warn(`${proxyFile} is not plain JSON; add ${PROXIED_PATHS.join(' and ')} to it yourself.`);
        return;
      }
    }
    const merged = withProxyRoutes(routes, target);
    if (Object.keys(merged).length !== Object.keys(routes).length) {
      const json = `${JSON.stringify(merged, null, 2)}\n`;
      if (text === null) tree.create(proxyFile, json);
      else tree.overwrite(proxyFile, json);
      // the identity service names the origin the browser sees as its issuer, not its own address
      context.logger.info(
        `ng serve now sends ${PROXIED_PATHS.join(' and ')} to ${target}; run the identity service there with the dev server's origin as its public URL.`,
      );
    }

    if (!serve) {
      context.logger.warn(`${projectName} has no serve target: pass --proxy-config ${proxyFile} to your dev server.`);
      return;
    }
    if (configured === undefined) {
      return updateWorkspace((workspace) => {
        const target = workspace.projects.get(projectName)?.targets.get('serve');
        if (target) target.options = { ...target.options, proxyConfig: proxyFile };
      });
    }
    return;
  };
}

async function findProject(tree: Parameters<Rule>[0], name: string): Promise<ProjectDefinition> {
  const project = (await readWorkspace(tree)).projects.get(name);
  if (!project) throw new SchematicsException(`There is no project ${name} in angular.json.`);
  return project;
}
