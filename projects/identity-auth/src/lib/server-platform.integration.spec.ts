// The server platform (SSR), proven without @angular/platform-server: PLATFORM_ID is
// 'server' in TestBed, and spies on the browser's globals show that nothing of them
// is touched while a component that injects the service renders signed out.
import { Component, inject, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { lastValueFrom } from 'rxjs';

import { IdentityAuthService } from './identity-auth.service';
import { identityAuthGuard } from './http/guard';
import { provideIdentityAuth, withMachineToMachine, withManualRestore } from './providers';
import { IdentityAuthPlatform, ServerIdentityAuthPlatform } from './platform/identity-auth-platform';
import { requireEmulator } from './testing-support/emulator-tabs';

@Component({
  selector: 'ia-status',
  template: `<p>{{ auth.status() }} {{ auth.isAuthenticated() ? 'in' : 'out' }}</p>`,
})
class StatusComponent {
  readonly auth = inject(IdentityAuthService);
}

describe('integration: the server platform', () => {
  beforeAll(requireEmulator);

  function spyOnBrowser() {
    return {
      getItem: spyOn(Storage.prototype, 'getItem').and.callThrough(),
      setItem: spyOn(Storage.prototype, 'setItem').and.callThrough(),
      channel: spyOn(window, 'BroadcastChannel').and.callThrough(),
      locks: spyOn(navigator.locks, 'request').and.callThrough(),
      listen: spyOn(window, 'addEventListener').and.callThrough(),
      interval: spyOn(window, 'setInterval').and.callThrough(),
      fetch: spyOn(window, 'fetch').and.callThrough(),
    };
  }

  it('renders a component that injects the service as signed out, touching no storage, lock, channel, timer or network', async () => {
    const spies = spyOnBrowser();
    TestBed.configureTestingModule({
      imports: [StatusComponent],
      providers: [
        { provide: PLATFORM_ID, useValue: 'server' },
        provideIdentityAuth({ url: '/', clientId: 'spa', storage: 'local' }),
      ],
    });
    const fixture = TestBed.createComponent(StatusComponent);
    await TestBed.inject(IdentityAuthService).restore();
    fixture.detectChanges();
    expect(fixture.nativeElement.textContent.trim()).toBe('signed-out out');
    expect(TestBed.inject(IdentityAuthPlatform)).toBeInstanceOf(ServerIdentityAuthPlatform);
    expect(await TestBed.inject(IdentityAuthService).getAccessToken()).toBeNull();
    expect(spies.getItem).not.toHaveBeenCalled();
    expect(spies.setItem).not.toHaveBeenCalled();
    expect(spies.channel).not.toHaveBeenCalled();
    expect(spies.locks).not.toHaveBeenCalled();
    expect(spies.interval).not.toHaveBeenCalled();
    expect(spies.fetch).not.toHaveBeenCalled();
    const events = spies.listen.calls.allArgs().map(([name]) => name);
    expect(events).not.toContain('online');
    expect(events).not.toContain('storage');
    expect(events).not.toContain('pageshow');
  });

  it('is signed out from the start with withManualRestore(), and the guard answers with the sign-in route', async () => {
    TestBed.configureTestingModule({
      imports: [StatusComponent],
      providers: [
        { provide: PLATFORM_ID, useValue: 'server' },
        provideIdentityAuth({ url: '/', clientId: 'spa' }, withManualRestore()),
        provideRouter([
          { path: 'sign-in', component: StatusComponent },
          { path: 'desk', component: StatusComponent, canActivate: [identityAuthGuard] },
        ]),
      ],
    });
    const fixture = TestBed.createComponent(StatusComponent);
    fixture.detectChanges();
    expect(fixture.nativeElement.textContent.trim()).toBe('signed-out out');
    const router = TestBed.inject(Router);
    await router.navigateByUrl('/desk');
    expect(router.url).toBe('/sign-in?returnUrl=%2Fdesk');
  });

  it('signs core_ib in machine to machine there, with withMachineToMachine(), and schedules nothing', async () => {
    TestBed.configureTestingModule({
      providers: [
        { provide: PLATFORM_ID, useValue: 'server' },
        provideIdentityAuth(
          { url: location.origin, clientId: 'core_ib', clientSecret: 'some_core_ib_secret' },
          withMachineToMachine(),
        ),
      ],
    });
    const auth = TestBed.inject(IdentityAuthService);
    await auth.restore();
    const interval = spyOn(window, 'setInterval').and.callThrough();
    const session = await lastValueFrom(auth.machineToMachineSignIn('trader@example.com', 'Passw0rd!'));
    expect(session.clientId).toBe('core_ib');
    expect(session.scope).toContain('BackOffice');
    expect(auth.status()).toBe('signed-in');
    expect(interval).not.toHaveBeenCalled();
  });
});
