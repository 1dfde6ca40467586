-- Vectors keyed by module (issue 15, docs/module-migration.md): one vector per document and module,
-- each with its collection, change sequence and the content hash of the text it was embedded from;
-- the collection's previous module, running migration and binding version; the module a clustering
-- was computed with. drizzle-kit cannot name the old primary key nor order the new columns before
-- the new key, so its statements were completed by hand (its snapshot is unchanged): the rows
-- written before are filled from their documents and collections, every vector being the bound module's.
ALTER TABLE "vectors" ADD COLUMN "module_sha256" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "vectors" ADD COLUMN "collection_key" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "vectors" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "vectors" ADD COLUMN "content_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE "vectors" v SET "module_sha256" = c."module_sha256", "collection_key" = d."collection_key", "seq" = d."seq", "content_hash" = d."content_hash"
	FROM "documents" d JOIN "collections" c ON c."key" = d."collection_key" WHERE d."key" = v."document_key";--> statement-breakpoint
ALTER TABLE "vectors" DROP CONSTRAINT "vectors_pkey";--> statement-breakpoint
ALTER TABLE "vectors" ADD CONSTRAINT "vectors_document_key_module_sha256_pk" PRIMARY KEY("document_key","module_sha256");--> statement-breakpoint
CREATE INDEX "vectors_feed_idx" ON "vectors" USING btree ("collection_key","module_sha256","seq");--> statement-breakpoint
ALTER TABLE "clusterings" ADD COLUMN "module" jsonb;--> statement-breakpoint
UPDATE "clusterings" SET "module" = jsonb_build_object('name', c."module_name", 'version', c."module_version", 'sha256', c."module_sha256", 'dims', c."dims")
	FROM "collections" c WHERE c."key" = "clusterings"."collection_key";--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "previous_module" jsonb;--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "migration" jsonb;--> statement-breakpoint
ALTER TABLE "collections" ADD COLUMN "binding_version" integer DEFAULT 0 NOT NULL;
