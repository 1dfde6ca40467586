CREATE TABLE "classifiers" (
	"key" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "classifiers_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"collection_key" integer NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"head" text NOT NULL,
	"label_key" text NOT NULL,
	"labels" jsonb NOT NULL,
	"hyperparameters" jsonb NOT NULL,
	"metrics" jsonb,
	"training" jsonb NOT NULL,
	"module_name" text NOT NULL,
	"module_version" text NOT NULL,
	"module_sha256" text NOT NULL,
	"module_dims" integer NOT NULL,
	"layers" jsonb NOT NULL,
	"weights" "bytea" NOT NULL,
	"trained_on" integer NOT NULL,
	"validated_on" integer NOT NULL,
	"skipped" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "classifiers" ADD CONSTRAINT "classifiers_collection_key_collections_key_fk" FOREIGN KEY ("collection_key") REFERENCES "public"."collections"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "classifiers_collection_name_version_uq" ON "classifiers" USING btree ("collection_key","name","version");