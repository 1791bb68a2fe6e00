// DI wiring through TestBed: what provideIdentityAuth() and IdentityAuthModule.forRoot() provide, and the
// mistakes they refuse. No network: restore is manual or runs against a document with no identity service.
import { createEnvironmentInjector, EnvironmentInjector, importProvidersFrom, NgModule } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { lastValueFrom } from 'rxjs';

import { IdentityAuthModule } from './identity-auth.module';
import { IdentityAuthService } from './identity-auth.service';
import { provideIdentityAuth, withMachineToMachine, withManualRestore, withTokenStore } from './providers';
import { IDENTITY_AUTH_HTTP_SETTINGS, SessionAccess } from './session/session-access';
import { SessionEngine } from './session/session-engine';
import { MemoryTokenStore } from './session/token-store';

const CONFIG = { url: 'https://id.example.com', clientId: 'spa', apis: ['/api/'] };

describe('provideIdentityAuth', () => {
  it('provides the service, the engine as SessionAccess, and the HTTP settings from the config', () => {
    TestBed.configureTestingModule({
      providers: [provideIdentityAuth({ ...CONFIG, waitForRestore: true }, withManualRestore())],
    });
    const access = TestBed.inject(SessionAccess);
    expect(access).toBe(TestBed.inject(SessionEngine));
    expect(TestBed.inject(IdentityAuthService).status()).toBe('unknown');
    const settings = TestBed.inject(IDENTITY_AUTH_HTTP_SETTINGS);
    expect(settings.apis).toEqual(['/api/']);
    expect(settings.identityBaseUrl).toBe('https://id.example.com');
    expect(settings.waitForRestore).toBeTrue();
  });

  it('resolves a path url against the document base URI', () => {
    TestBed.configureTestingModule({
      providers: [provideIdentityAuth({ url: '/', clientId: 'spa' }, withManualRestore())],
    });
    expect(TestBed.inject(IDENTITY_AUTH_HTTP_SETTINGS).identityBaseUrl).toBe(location.origin);
    expect(TestBed.inject(IDENTITY_AUTH_HTTP_SETTINGS).waitForRestore).toBeFalse();
  });

  it('runs a config factory at start-up in an injection context (async, as from a config.json)', async () => {
    let ran = 0;
    TestBed.configureTestingModule({
      providers: [
        provideIdentityAuth(async () => {
          ran += 1;
          TestBed.inject(EnvironmentInjector); // an injection context is available
          await Promise.resolve();
          return { ...CONFIG, apis: ['https://api.example.com/v1/'] };
        }, withManualRestore()),
      ],
    });
    const settings = TestBed.inject(IDENTITY_AUTH_HTTP_SETTINGS);
    await TestBed.inject(SessionEngine).ready();
    expect(ran).toBe(1);
    expect(settings.apis).toEqual(['https://api.example.com/v1/']);
  });

  it('fails start-up on a wrong option, naming it and the fix', () => {
    TestBed.configureTestingModule({ providers: [provideIdentityAuth({ url: '/', clientId: 'spa_admin' })] });
    expect(() => TestBed.inject(IdentityAuthService)).toThrowError(/"clientId" spa_admin needs "clientSecret"/);
  });

  it('refuses a feature given twice, naming it', () => {
    expect(() =>
      provideIdentityAuth(CONFIG, withTokenStore(new MemoryTokenStore()), withTokenStore(new MemoryTokenStore())),
    ).toThrowError(/withTokenStore\(\) is given 2 times/);
  });

  it('refuses config storage together with withTokenStore(), naming both', () => {
    TestBed.configureTestingModule({
      providers: [
        provideIdentityAuth(
          { ...CONFIG, storage: 'local' },
          withTokenStore(new MemoryTokenStore()),
          withManualRestore(),
        ),
      ],
    });
    expect(() => TestBed.inject(SessionEngine)).toThrowError(/"storage" in the config and withTokenStore\(\)/);
  });

  it('is an error when given twice to one injector', () => {
    TestBed.configureTestingModule({
      providers: [provideIdentityAuth(CONFIG, withManualRestore()), provideIdentityAuth(CONFIG, withManualRestore())],
    });
    expect(() => TestBed.inject(IdentityAuthService)).toThrowError(/set up twice/);
  });

  it('is an error when set up again below an injector that has it (a lazy route)', () => {
    TestBed.configureTestingModule({ providers: [provideIdentityAuth(CONFIG, withManualRestore())] });
    const root = TestBed.inject(EnvironmentInjector);
    expect(() => createEnvironmentInjector([provideIdentityAuth(CONFIG, withManualRestore())], root)).toThrowError(
      /set up twice/,
    );
  });

  it('refuses machineToMachineSignIn() without withMachineToMachine()', async () => {
    TestBed.configureTestingModule({ providers: [provideIdentityAuth(CONFIG, withManualRestore())] });
    await expectAsync(
      lastValueFrom(TestBed.inject(IdentityAuthService).machineToMachineSignIn('a', 'b')),
    ).toBeRejectedWithError(TypeError, /needs withMachineToMachine\(\)/);
  });

  it('refuses machineToMachineSignIn() in a browser even with the feature', async () => {
    TestBed.configureTestingModule({
      providers: [provideIdentityAuth(CONFIG, withManualRestore(), withMachineToMachine())],
    });
    await expectAsync(
      lastValueFrom(TestBed.inject(IdentityAuthService).machineToMachineSignIn('a', 'b')),
    ).toBeRejectedWithError(TypeError, /server platform only/);
  });
});

describe('IdentityAuthModule.forRoot', () => {
  it('provides the same service as provideIdentityAuth()', () => {
    TestBed.configureTestingModule({ imports: [IdentityAuthModule.forRoot(CONFIG, withManualRestore())] });
    expect(TestBed.inject(IdentityAuthService)).toBeInstanceOf(IdentityAuthService);
    expect(TestBed.inject(SessionAccess)).toBe(TestBed.inject(SessionEngine));
  });

  it('is an error when two eager modules each import forRoot() into one injector', () => {
    @NgModule({ imports: [IdentityAuthModule.forRoot(CONFIG, withManualRestore())] })
    class FeatureA {}
    @NgModule({ imports: [IdentityAuthModule.forRoot(CONFIG, withManualRestore())] })
    class FeatureB {}
    TestBed.configureTestingModule({ imports: [FeatureA, FeatureB] });
    expect(() => TestBed.inject(IdentityAuthService)).toThrowError(/set up twice/);
  });

  it('is an error when imported again in a lazy module', () => {
    TestBed.configureTestingModule({ imports: [IdentityAuthModule.forRoot(CONFIG, withManualRestore())] });
    const root = TestBed.inject(EnvironmentInjector);
    expect(() =>
      createEnvironmentInjector([importProvidersFrom(IdentityAuthModule.forRoot(CONFIG, withManualRestore()))], root),
    ).toThrowError(/twice/);
  });
});
