CREATE TABLE `modules` (
	`name` text PRIMARY KEY NOT NULL,
	`version` text NOT NULL,
	`source` text NOT NULL,
	`sha256` text NOT NULL,
	`dims` integer NOT NULL,
	`created_at` integer NOT NULL
);
