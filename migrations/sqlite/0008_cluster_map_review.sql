ALTER TABLE `cluster_assignments` ADD `x` real;--> statement-breakpoint
ALTER TABLE `cluster_assignments` ADD `y` real;--> statement-breakpoint
ALTER TABLE `cluster_assignments` ADD `sampled` integer;--> statement-breakpoint
ALTER TABLE `clusterings` ADD `projection` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `reviewed_label` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `noise` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `clusters` ADD `merged_into` integer;