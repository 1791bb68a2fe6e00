// `set` / `delete` edits, as the test controls take them: `{ set: { name: value }, delete: [names] }`.

/** Why `edits` cannot be applied, or undefined when they can. */
export function editsProblem(edits) {
  if (edits.set !== undefined && (typeof edits.set !== 'object' || edits.set === null || Array.isArray(edits.set)))
    return '"set" must be an object of names and values';
  if (edits.delete !== undefined && !(Array.isArray(edits.delete) && edits.delete.every((n) => typeof n === 'string')))
    return '"delete" must be an array of names';
  return undefined;
}

/**
 * Applies `set`, then `delete`, through `write` and `remove`. Without those,
 * `target` is a plain object edited in place; it is returned.
 */
export function applyEdits(
  target,
  edits,
  write = (name, value) => {
    target[name] = value;
  },
  remove = (name) => delete target[name],
) {
  for (const [name, value] of Object.entries(edits.set ?? {})) write(name, value);
  for (const name of edits.delete ?? []) remove(name);
  return target;
}
