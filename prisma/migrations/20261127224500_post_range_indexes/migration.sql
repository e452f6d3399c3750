-- The calendar (GET /api/v1/posts?from&to) lists the posts of one organisation that are due,
-- published or (not yet approved) planned within a time range. The index on (org_id, due_at)
-- served only the first of the three. With these two as well, PostgreSQL answers the range as
-- one bitmap OR of three index scans instead of reading every post of every organisation.
-- (No semicolon inside these comments: the migration runner splits the script at each one.)
CREATE INDEX "post_org_id_published_at_idx" ON "post"("org_id", "published_at");

CREATE INDEX "post_org_id_publish_at_idx" ON "post"("org_id", "publish_at");
