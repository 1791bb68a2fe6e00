import type { Routes } from '@angular/router';
import { identityAuthGuard } from 'b2trader.identity.auth';

import { DeskPage, HomePage, SignInPage } from './pages';

/** A public page, the sign-in page and two guarded pages (rendered differently on the server). */
export const routes: Routes = [
  { path: '', component: HomePage },
  { path: 'sign-in', component: SignInPage },
  { path: 'desk', component: DeskPage, canActivate: [identityAuthGuard] },
  { path: 'blotter', component: DeskPage, canActivate: [identityAuthGuard] },
];
