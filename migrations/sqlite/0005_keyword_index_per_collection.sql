-- Keyword search moves to one FTS5 table per collection (src/store/sqlite/keyword-index.ts), so
-- BM25 statistics are each collection's own. The store creates those tables at open (filled from
-- the live documents) and with each new collection; the shared table and its triggers go.
DROP TRIGGER IF EXISTS `documents_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `documents_fts_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `documents_fts_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `documents_fts`;
