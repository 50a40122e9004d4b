/**
 * Takes items in turns across groups: the first of every group, then the second of every group,
 * and so on; groups in order of first appearance, items in their given order within a group.
 * Used wherever one abundant kind must not crowd out the rare ones (signals, templates, files).
 */
export function inTurns<T, K>(items: readonly T[], groupOf: (item: T) => K): T[] {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const queues = [...groups.values()];
  const out: T[] = [];
  for (let round = 0; out.length < items.length; round++) {
    for (const queue of queues) if (round < queue.length) out.push(queue[round]!);
  }
  return out;
}
