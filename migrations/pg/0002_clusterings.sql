CREATE TABLE "cluster_assignments" (
	"clustering_key" integer NOT NULL,
	"document_key" bigint NOT NULL,
	"cluster" integer NOT NULL,
	CONSTRAINT "cluster_assignments_clustering_key_document_key_pk" PRIMARY KEY("clustering_key","document_key")
);
--> statement-breakpoint
CREATE TABLE "clusterings" (
	"key" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "clusterings_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"id" text NOT NULL,
	"collection_key" integer NOT NULL,
	"status" text NOT NULL,
	"progress" double precision NOT NULL,
	"error" text,
	"k_requested" integer,
	"k" integer,
	"k_chosen_by" text,
	"seed" integer NOT NULL,
	"restarts" integer NOT NULL,
	"filter" jsonb,
	"evaluate_against" text,
	"document_count" integer,
	"quality" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "clusterings_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"clustering_key" integer NOT NULL,
	"cluster" integer NOT NULL,
	"size" integer NOT NULL,
	"label" text NOT NULL,
	"keywords" jsonb NOT NULL,
	"representatives" jsonb NOT NULL,
	CONSTRAINT "clusters_clustering_key_cluster_pk" PRIMARY KEY("clustering_key","cluster")
);
--> statement-breakpoint
ALTER TABLE "cluster_assignments" ADD CONSTRAINT "cluster_assignments_clustering_key_clusterings_key_fk" FOREIGN KEY ("clustering_key") REFERENCES "public"."clusterings"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusterings" ADD CONSTRAINT "clusterings_id_jobs_id_fk" FOREIGN KEY ("id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusterings" ADD CONSTRAINT "clusterings_collection_key_collections_key_fk" FOREIGN KEY ("collection_key") REFERENCES "public"."collections"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_clustering_key_clusterings_key_fk" FOREIGN KEY ("clustering_key") REFERENCES "public"."clusterings"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cluster_assignments_cluster_idx" ON "cluster_assignments" USING btree ("clustering_key","cluster","document_key");--> statement-breakpoint
CREATE INDEX "clusterings_collection_key_idx" ON "clusterings" USING btree ("collection_key","key");--> statement-breakpoint
CREATE INDEX "clusterings_status_idx" ON "clusterings" USING btree ("status","updated_at");