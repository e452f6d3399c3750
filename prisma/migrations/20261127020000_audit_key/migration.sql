-- Audit hashes become HMACs with a key from the environment: a database superuser can no longer
-- rewrite the chain and recompute it. The key id says which configured key verifies an event.
ALTER TABLE "audit_event" ADD COLUMN "key_id" TEXT NOT NULL DEFAULT '';
