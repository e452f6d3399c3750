-- Four-eyes against account control: who last set a user's password (an admin on creation or
-- reset, the user on a change of their own). An approval is refused when that person wrote or
-- edited the release, since they may know the approver's password. Existing rows stay NULL: their
-- passwords were set before Herold recorded it, and NULL does not restrict anyone.
ALTER TABLE "app_user" ADD COLUMN "password_set_by_id" UUID;
