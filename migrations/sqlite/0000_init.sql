CREATE TABLE `collections` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`module_name` text NOT NULL,
	`module_version` text NOT NULL,
	`module_sha256` text NOT NULL,
	`dims` integer NOT NULL,
	`metric` text NOT NULL,
	`hnsw_m` integer NOT NULL,
	`hnsw_ef_construction` integer NOT NULL,
	`hnsw_ef` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `collections_name_unique` ON `collections` (`name`);--> statement-breakpoint
CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `documents` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`collection_key` integer NOT NULL,
	`id` text NOT NULL,
	`text` text NOT NULL,
	`metadata` text,
	`content_hash` text NOT NULL,
	`seq` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`collection_key`) REFERENCES `collections`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_collection_id_uq` ON `documents` (`collection_key`,`id`);--> statement-breakpoint
CREATE INDEX `documents_collection_seq_idx` ON `documents` (`collection_key`,`seq`);--> statement-breakpoint
CREATE INDEX `documents_collection_hash_idx` ON `documents` (`collection_key`,`content_hash`);--> statement-breakpoint
CREATE INDEX `documents_collection_key_idx` ON `documents` (`collection_key`,`key`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`collection_key` integer,
	`status` text NOT NULL,
	`progress` real NOT NULL,
	`params` text NOT NULL,
	`result` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`collection_key`) REFERENCES `collections`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `jobs_collection_idx` ON `jobs` (`collection_key`);--> statement-breakpoint
CREATE TABLE `vectors` (
	`document_key` integer PRIMARY KEY NOT NULL,
	`vector` blob NOT NULL,
	FOREIGN KEY (`document_key`) REFERENCES `documents`(`key`) ON UPDATE no action ON DELETE cascade
);
