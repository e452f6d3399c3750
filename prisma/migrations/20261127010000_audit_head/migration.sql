-- CreateTable
CREATE TABLE "audit_head" (
    "org_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "events" INTEGER NOT NULL,

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("org_id")
);

-- Backfill from the chains written so far.
INSERT INTO "audit_head" ("org_id", "seq", "hash", "events")
SELECT last.org_id, last.seq, last.hash, counts.events
FROM (SELECT DISTINCT ON (org_id) org_id, seq, hash FROM "audit_event" ORDER BY org_id, seq DESC) AS last
JOIN (SELECT org_id, count(*)::int AS events FROM "audit_event" GROUP BY org_id) AS counts USING (org_id);
