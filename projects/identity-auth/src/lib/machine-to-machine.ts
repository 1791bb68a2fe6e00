/**
 * The token under which `withMachineToMachine()` provides the password grant. It
 * holds only a type import: the grant's code arrives with the feature, so an app
 * that never calls it bundles none.
 */
import { InjectionToken } from '@angular/core';
import type { passwordGrant } from 'b2trader.identity.auth/core';

/** The password grant, present only with `withMachineToMachine()`. */
export const MACHINE_TO_MACHINE = new InjectionToken<typeof passwordGrant>(
  ngDevMode ? 'b2trader.identity.auth: machine-to-machine' : '',
);
