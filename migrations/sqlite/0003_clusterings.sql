CREATE TABLE `cluster_assignments` (
	`clustering_key` integer NOT NULL,
	`document_key` integer NOT NULL,
	`cluster` integer NOT NULL,
	PRIMARY KEY(`clustering_key`, `document_key`),
	FOREIGN KEY (`clustering_key`) REFERENCES `clusterings`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cluster_assignments_cluster_idx` ON `cluster_assignments` (`clustering_key`,`cluster`,`document_key`);--> statement-breakpoint
CREATE TABLE `clusterings` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`collection_key` integer NOT NULL,
	`status` text NOT NULL,
	`progress` real NOT NULL,
	`error` text,
	`k_requested` integer,
	`k` integer,
	`k_chosen_by` text,
	`seed` integer NOT NULL,
	`restarts` integer NOT NULL,
	`filter` text,
	`evaluate_against` text,
	`document_count` integer,
	`quality` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`collection_key`) REFERENCES `collections`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clusterings_id_unique` ON `clusterings` (`id`);--> statement-breakpoint
CREATE INDEX `clusterings_collection_key_idx` ON `clusterings` (`collection_key`,`key`);--> statement-breakpoint
CREATE INDEX `clusterings_status_idx` ON `clusterings` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `clusters` (
	`clustering_key` integer NOT NULL,
	`cluster` integer NOT NULL,
	`size` integer NOT NULL,
	`label` text NOT NULL,
	`keywords` text NOT NULL,
	`representatives` text NOT NULL,
	PRIMARY KEY(`clustering_key`, `cluster`),
	FOREIGN KEY (`clustering_key`) REFERENCES `clusterings`(`key`) ON UPDATE no action ON DELETE cascade
);
