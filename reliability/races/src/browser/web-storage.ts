/**
 * Web Storage: `sessionStorage` (one per tab) and `localStorage` (one per origin,
 * shared by every tab). A change to `localStorage` fires a `storage` event in every
 * OTHER tab — never in the tab that wrote — as the browser does; the browser decides
 * when each tab sees it (see Browser). Setting a key to the value it has is no change.
 */
export type StorageChange = (key: string | null, oldValue: string | null, newValue: string | null) => void;

export class FakeStorage implements Storage {
  private readonly items = new Map<string, string>();

  constructor(private readonly onChange: StorageChange = () => undefined) {}

  [name: string]: unknown;

  get length(): number {
    return this.items.size;
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    const old = this.getItem(key);
    const text = String(value);
    if (old === text) return;
    this.items.set(key, text);
    this.onChange(key, old, text);
  }

  removeItem(key: string): void {
    const old = this.getItem(key);
    if (old === null) return;
    this.items.delete(key);
    this.onChange(key, old, null);
  }

  clear(): void {
    if (this.items.size === 0) return;
    this.items.clear();
    this.onChange(null, null, null);
  }
}
