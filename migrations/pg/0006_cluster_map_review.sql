ALTER TABLE "cluster_assignments" ADD COLUMN "x" real;--> statement-breakpoint
ALTER TABLE "cluster_assignments" ADD COLUMN "y" real;--> statement-breakpoint
ALTER TABLE "cluster_assignments" ADD COLUMN "sampled" boolean;--> statement-breakpoint
ALTER TABLE "clusterings" ADD COLUMN "projection" jsonb;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "reviewed_label" text;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "noise" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "clusters" ADD COLUMN "merged_into" integer;