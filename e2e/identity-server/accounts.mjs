// Seeded users of the emulator. Nothing here survives a restart.

/** @typedef {{ id: string, email: string, nickname: string, password: string, secondFactor?: string }} SeededAccount */

/** @type {SeededAccount[]} */
export const SEEDED_ACCOUNTS = [
  {
    id: '10e3bfcf-56f7-421d-84ea-1700209ae121',
    email: 'trader@example.com',
    nickname: 'trader',
    password: 'Passw0rd!',
  },
  {
    id: '5b0f3f8e-2f64-4c1e-9d1b-6b9f3f0a2fa1',
    email: '2fa@example.com',
    nickname: 'second-factor',
    password: 'Passw0rd!',
    secondFactor: '123456',
  },
];

/** @param {string} email */
export function findAccountByEmail(email) {
  const wanted = String(email).trim().toLowerCase();
  return SEEDED_ACCOUNTS.find((a) => a.email === wanted);
}

/** @param {string} id */
export function findAccountById(id) {
  return SEEDED_ACCOUNTS.find((a) => a.id === id);
}

/** The account shape of docs/protocol.md §1. */
export function publicAccount(account) {
  return { nickname: account.nickname, email: account.email, id: account.id };
}
