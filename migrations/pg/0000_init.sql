CREATE SEQUENCE "public"."document_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "collections" (
	"key" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "collections_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"module_name" text NOT NULL,
	"module_version" text NOT NULL,
	"module_sha256" text NOT NULL,
	"dims" integer NOT NULL,
	"metric" text NOT NULL,
	"hnsw_m" integer NOT NULL,
	"hnsw_ef_construction" integer NOT NULL,
	"hnsw_ef" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "collections_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"key" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "documents_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"collection_key" integer NOT NULL,
	"id" text NOT NULL,
	"text" text NOT NULL,
	"metadata" jsonb,
	"content_hash" text NOT NULL,
	"seq" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"collection_key" integer,
	"status" text NOT NULL,
	"progress" double precision NOT NULL,
	"params" jsonb NOT NULL,
	"result" jsonb,
	"error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vectors" (
	"document_key" bigint PRIMARY KEY NOT NULL,
	"vector" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_collection_key_collections_key_fk" FOREIGN KEY ("collection_key") REFERENCES "public"."collections"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_collection_key_collections_key_fk" FOREIGN KEY ("collection_key") REFERENCES "public"."collections"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vectors" ADD CONSTRAINT "vectors_document_key_documents_key_fk" FOREIGN KEY ("document_key") REFERENCES "public"."documents"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_collection_id_uq" ON "documents" USING btree ("collection_key","id");--> statement-breakpoint
CREATE INDEX "documents_collection_seq_idx" ON "documents" USING btree ("collection_key","seq");--> statement-breakpoint
CREATE INDEX "documents_collection_hash_idx" ON "documents" USING btree ("collection_key","content_hash");--> statement-breakpoint
CREATE INDEX "documents_collection_key_idx" ON "documents" USING btree ("collection_key","key");--> statement-breakpoint
CREATE INDEX "jobs_collection_idx" ON "jobs" USING btree ("collection_key");