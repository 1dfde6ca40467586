CREATE TABLE `classifiers` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`collection_key` integer NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`head` text NOT NULL,
	`label_key` text NOT NULL,
	`labels` text NOT NULL,
	`hyperparameters` text NOT NULL,
	`metrics` text,
	`training` text NOT NULL,
	`module_name` text NOT NULL,
	`module_version` text NOT NULL,
	`module_sha256` text NOT NULL,
	`module_dims` integer NOT NULL,
	`layers` text NOT NULL,
	`weights` blob NOT NULL,
	`trained_on` integer NOT NULL,
	`validated_on` integer NOT NULL,
	`skipped` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`collection_key`) REFERENCES `collections`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `classifiers_collection_name_version_uq` ON `classifiers` (`collection_key`,`name`,`version`);