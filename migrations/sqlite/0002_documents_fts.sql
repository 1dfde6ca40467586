-- Full-text search over live documents' text (Store.keywordSearch), custom SQL drizzle cannot
-- express. documents_fts is an FTS5 table with external content: it stores only the index, rowid
-- = documents.key; porter stemming over unicode61 tokens, diacritics folded. It indexes LIVE
-- documents only (deleted_at IS NULL), so soft-deleted ones never match and do not skew bm25.
-- The triggers keep it in step inside the transaction of each documents write (insert, upsert,
-- soft delete, revive, ON DELETE CASCADE from collections). An external-content 'delete' must
-- repeat exactly the text that was indexed: the triggers guarantee that, never write it by hand.
CREATE VIRTUAL TABLE `documents_fts` USING fts5(
	`text`,
	content = 'documents',
	content_rowid = 'key',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Backfill: index the live documents of an existing database.
INSERT INTO `documents_fts` (`rowid`, `text`) SELECT `key`, `text` FROM `documents` WHERE `deleted_at` IS NULL;
--> statement-breakpoint
CREATE TRIGGER `documents_fts_insert` AFTER INSERT ON `documents`
WHEN new.`deleted_at` IS NULL
BEGIN
	INSERT INTO `documents_fts` (`rowid`, `text`) VALUES (new.`key`, new.`text`);
END;
--> statement-breakpoint
CREATE TRIGGER `documents_fts_delete` AFTER DELETE ON `documents`
WHEN old.`deleted_at` IS NULL
BEGIN
	INSERT INTO `documents_fts` (`documents_fts`, `rowid`, `text`) VALUES ('delete', old.`key`, old.`text`);
END;
--> statement-breakpoint
-- Re-index only when what is indexed changes: the text, the key, or liveness. An upsert that
-- rewrites the same text (the common re-ingest) costs nothing here.
CREATE TRIGGER `documents_fts_update` AFTER UPDATE OF `key`, `text`, `deleted_at` ON `documents`
WHEN old.`key` IS NOT new.`key`
	OR old.`text` IS NOT new.`text`
	OR (old.`deleted_at` IS NULL) <> (new.`deleted_at` IS NULL)
BEGIN
	INSERT INTO `documents_fts` (`documents_fts`, `rowid`, `text`)
		SELECT 'delete', old.`key`, old.`text` WHERE old.`deleted_at` IS NULL;
	INSERT INTO `documents_fts` (`rowid`, `text`)
		SELECT new.`key`, new.`text` WHERE new.`deleted_at` IS NULL;
END;
