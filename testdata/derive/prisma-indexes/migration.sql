-- CreateTable
CREATE TABLE "Doc" (
    "id" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "tags" TEXT[],
    "data" JSONB NOT NULL,
    "created" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Doc_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Doc_data_idx" ON "Doc" USING GIN ("data" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "Doc_tags_idx" ON "Doc" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "Doc_title_idx" ON "Doc" USING HASH ("title");

-- CreateIndex
CREATE INDEX "Doc_created_title_idx" ON "Doc"("created" DESC, "title");

-- CreateIndex
CREATE INDEX "Doc_title_idx1" ON "Doc"("title" text_pattern_ops);

-- CreateIndex
CREATE INDEX "Doc_created_idx" ON "Doc" USING BRIN ("created");
