-- Vectors keyed by module (issue 15, docs/module-migration.md): one vector per document and module,
-- each with its collection, change sequence and the content hash of the text it was embedded from;
-- the collection's previous module, running migration and binding version; the module a clustering
-- was computed with. drizzle-kit's table copy named columns the old table lacks, so its statements
-- were completed by hand (its snapshot is unchanged): the rows written before are filled from their
-- documents and collections, every vector being the bound module's.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_vectors` (
	`document_key` integer NOT NULL,
	`module_sha256` text DEFAULT '' NOT NULL,
	`collection_key` integer DEFAULT 0 NOT NULL,
	`seq` integer DEFAULT 0 NOT NULL,
	`content_hash` text DEFAULT '' NOT NULL,
	`vector` blob NOT NULL,
	PRIMARY KEY(`document_key`, `module_sha256`),
	FOREIGN KEY (`document_key`) REFERENCES `documents`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_vectors`("document_key", "module_sha256", "collection_key", "seq", "content_hash", "vector")
	SELECT v."document_key", c."module_sha256", d."collection_key", d."seq", d."content_hash", v."vector"
	FROM `vectors` v JOIN `documents` d ON d."key" = v."document_key" JOIN `collections` c ON c."key" = d."collection_key";--> statement-breakpoint
DROP TABLE `vectors`;--> statement-breakpoint
ALTER TABLE `__new_vectors` RENAME TO `vectors`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `vectors_feed_idx` ON `vectors` (`collection_key`,`module_sha256`,`seq`);--> statement-breakpoint
ALTER TABLE `clusterings` ADD `module` text;--> statement-breakpoint
UPDATE `clusterings` SET `module` = (SELECT json_object('name', c."module_name", 'version', c."module_version", 'sha256', c."module_sha256", 'dims', c."dims")
	FROM `collections` c WHERE c."key" = `clusterings`."collection_key");--> statement-breakpoint
ALTER TABLE `collections` ADD `previous_module` text;--> statement-breakpoint
ALTER TABLE `collections` ADD `migration` text;--> statement-breakpoint
ALTER TABLE `collections` ADD `binding_version` integer DEFAULT 0 NOT NULL;
