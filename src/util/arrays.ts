/**
 * `target.push(...items)` passes every item as an argument: past about
 * 100,000 items V8 throws "Maximum call stack size exceeded". Images reach
 * that (130,000 package.json files, a dpkg status of 200,000 packages, a
 * lockfile of 500,000 entries), so lists that grow with the input are
 * appended with a loop.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
