import type { Collection } from '../api/types';

/** Index health: the index holds every stored document (healthy) or is behind by n. */
export function IndexHealth({ collection }: { collection: Pick<Collection, 'documentCount' | 'indexedCount'> }) {
  const behind = collection.documentCount - collection.indexedCount;
  return behind === 0 ? (
    <span className="health ok">healthy</span>
  ) : (
    <span className="health behind">
      index {behind > 0 ? `behind by ${behind}` : `ahead by ${-behind}`}
    </span>
  );
}
