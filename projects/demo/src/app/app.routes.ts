import type { Routes } from '@angular/router';
import { identityAuthGuard } from 'b2trader.identity.auth';

import { DeskPage } from './desk/desk-page';
import { SignInPage } from './sign-in/sign-in-page';

export const routes: Routes = [
  { path: 'sign-in', component: SignInPage, title: 'Sign in · B2Trader' },
  { path: 'desk', component: DeskPage, canActivate: [identityAuthGuard], title: 'Desk · B2Trader' },
  { path: '', pathMatch: 'full', redirectTo: 'desk' },
  { path: '**', redirectTo: 'desk' },
];
