// A zoneless app (provideZonelessChangeDetection) against the emulator: the
// service's signals drive the view through login and sign-out.
import { Component, inject, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom, toArray } from 'rxjs';

import { IdentityAuthService } from './identity-auth.service';
import { provideIdentityAuth } from './providers';
import { cleanSlate, requireEmulator, TRADER } from './testing-support/emulator-tabs';

@Component({
  selector: 'ia-account',
  template: `@if (auth.session(); as session) {
      <span>{{ session.account.email }}</span>
    } @else {
      <span>{{ auth.status() }}</span>
    }`,
})
class AccountComponent {
  readonly auth = inject(IdentityAuthService);
}

describe('integration: a zoneless app', () => {
  beforeAll(requireEmulator);
  beforeEach(cleanSlate);

  it('shows the signed-in account and then signed-out, with no zone', async () => {
    TestBed.configureTestingModule({
      imports: [AccountComponent],
      providers: [provideZonelessChangeDetection(), provideIdentityAuth({ url: '/', clientId: 'spa' })],
    });
    const fixture = TestBed.createComponent(AccountComponent);
    fixture.autoDetectChanges();
    const auth = TestBed.inject(IdentityAuthService);
    await auth.restore();
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent.trim()).toBe('signed-out');
    expect(typeof (globalThis as { Zone?: unknown }).Zone).toBe('undefined');

    await lastValueFrom(auth.login(TRADER.email, TRADER.password).pipe(toArray()));
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent.trim()).toBe(TRADER.email);

    await lastValueFrom(auth.signOut());
    await fixture.whenStable();
    expect(fixture.nativeElement.textContent.trim()).toBe('signed-out');
  });
});
