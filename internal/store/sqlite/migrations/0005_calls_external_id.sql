-- A CDR keeps the external id its contact had when the call started: CDR searches show it
-- (seed 002's userData.extId) without reading contacts, and it survives the contact.
ALTER TABLE calls ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
UPDATE calls SET external_id = COALESCE((SELECT external_id FROM contacts WHERE contacts.id = calls.contact_id), '');
