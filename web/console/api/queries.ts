/** The GraphQL operations the console sends: only the public API (schema/*.graphql). */

const PAGE = 'totalCount pageInfo { hasNextPage endCursor }';
const DOC = 'id text metadata';

export const COLLECTIONS = `query ConsoleCollections {
  collections(first: 100) { totalCount nodes { name metric documentCount indexedCount deletedCount createdAt module { name version dims backend } } }
}`;

export const COLLECTION = `query ConsoleCollection($name: String!) {
  collection(name: $name) { name metric documentCount indexedCount deletedCount createdAt module { name version dims backend } }
}`;

export const DOCUMENTS = `query ConsoleDocuments($collection: String!, $filter: JSON, $first: Int, $after: String) {
  documents(collection: $collection, filter: $filter, first: $first, after: $after) { ${PAGE} nodes { ${DOC} } }
}`;

export const DOCUMENTS_BY_ID = `query ConsoleDocumentsById($collection: String!, $ids: [ID!]!) {
  documentsById(collection: $collection, ids: $ids) { ${DOC} }
}`;

export const SEARCH = `query ConsoleSearch($collection: String!, $text: String!, $mode: SearchMode, $filter: JSON, $limit: Int) {
  search(collection: $collection, text: $text, mode: $mode, filter: $filter, limit: $limit) { score distance document { ${DOC} } }
}`;

const CLUSTERING_SUMMARY = 'id collection k status progress error documentCount createdAt';

export const CLUSTERINGS = `query ConsoleClusterings($collection: String!) {
  clusterings(collection: $collection, first: 100) { totalCount nodes { ${CLUSTERING_SUMMARY} } }
}`;

export const CLUSTERING = `query ConsoleClustering($id: ID!) {
  clustering(id: $id) {
    ${CLUSTERING_SUMMARY} filter
    quality { silhouette }
    projection { method sampleSize neighbors seed }
    clusters { id size label autoLabel reviewed noise mergedInto keywords }
  }
}`;

export const CLUSTERING_STATUS = `query ConsoleClusteringStatus($id: ID!) { clustering(id: $id) { ${CLUSTERING_SUMMARY} } }`;

/** Points come 5,000 a page: 5 fields each stays well under the default query cost limit (50,000). */
export const POINTS_PAGE = 5000;

export const POINTS = `query ConsolePoints($id: ID!, $first: Int, $after: String) {
  clustering(id: $id) { points(first: $first, after: $after) { ${PAGE} nodes { documentId x y cluster sampled } } }
}`;

export const CLUSTER_DETAIL = `query ConsoleCluster($id: ID!, $cluster: ID!, $first: Int, $after: String) {
  clustering(id: $id) { cluster(id: $cluster) {
    id size label autoLabel reviewed noise mergedInto keywords
    representatives { score document { ${DOC} } }
    documents(first: $first, after: $after) { ${PAGE} nodes { ${DOC} } }
  } }
}`;

export const CLUSTER_COLLECTION = `mutation ConsoleClusterCollection($collection: String!, $k: Int, $filter: JSON) {
  clusterCollection(collection: $collection, k: $k, filter: $filter) { ${CLUSTERING_SUMMARY} }
}`;

export const RENAME_CLUSTER = `mutation ConsoleRenameCluster($clustering: ID!, $cluster: ID!, $label: String!) {
  renameCluster(clustering: $clustering, cluster: $cluster, label: $label) { id label autoLabel reviewed }
}`;

export const MERGE_CLUSTERS = `mutation ConsoleMergeClusters($clustering: ID!, $into: ID!, $from: [ID!]!) {
  mergeClusters(clustering: $clustering, into: $into, from: $from) { id }
}`;

export const MARK_NOISE = `mutation ConsoleMarkNoise($clustering: ID!, $cluster: ID!, $noise: Boolean) {
  markClusterNoise(clustering: $clustering, cluster: $cluster, noise: $noise) { id noise }
}`;

export const APPLY_LABELS = `mutation ConsoleApplyLabels($clustering: ID!, $key: String!, $overwrite: Boolean) {
  applyClusterLabels(clustering: $clustering, key: $key, overwrite: $overwrite) { updated removed skipped key seq }
}`;

const CLASSIFIER = `name version head labelKey labels trainedOn validatedOn skipped
  metrics { n accuracy macroF1 confusion refit sliceBy warning
    perClass { label precision recall f1 support }
    perSlice { slice n accuracy macroF1 }
    sliceGap { best worst gap } }`;

export const TRAIN_CLASSIFIER = `mutation ConsoleTrain($collection: String!, $name: String!, $labelKey: String!, $head: HeadKind, $sliceBy: String) {
  trainClassifier(collection: $collection, name: $name, labelKey: $labelKey, head: $head, sliceBy: $sliceBy) { ${CLASSIFIER} }
}`;

export const CLASSIFIERS = `query ConsoleClassifiers($collection: String!) { classifiers(collection: $collection) { ${CLASSIFIER} } }`;

export const CLASSIFY = `query ConsoleClassify($collection: String!, $classifier: String!, $texts: [String!]!) {
  classify(collection: $collection, classifier: $classifier, texts: $texts) {
    label probability scores { label score } evidence { score document { ${DOC} } }
  }
}`;
