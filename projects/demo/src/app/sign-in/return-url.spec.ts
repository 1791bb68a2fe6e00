import { safeReturnUrl } from './return-url';

describe('safeReturnUrl', () => {
  const cases: [string | null | undefined, string][] = [
    [undefined, '/desk'],
    [null, '/desk'],
    ['', '/desk'],
    ['/desk', '/desk'],
    ['/desk?tab=orders#top', '/desk?tab=orders#top'],
    ['https://evil.test/desk', '/desk'],
    ['//evil.test/desk', '/desk'],
    ['/\\evil.test', '/desk'],
    ['desk', '/desk'],
    ['/sign-in', '/desk'],
    ['/sign-in?returnUrl=%2Fdesk', '/desk'],
    ['/sign-inx', '/sign-inx'],
  ];
  for (const [wanted, expected] of cases) {
    it(`goes to ${expected} for ${JSON.stringify(wanted)}`, () => expect(safeReturnUrl(wanted)).toBe(expected));
  }
});
