-- A contact's descriptive fields move into one JSON array, data (see sqlstore's
-- contactdata.go): a contact binds five values instead of fifteen. PostgreSQL keeps the
-- unique (batch_id, phone) index (SQLite uses contact_keys instead).
ALTER TABLE contacts ADD COLUMN data TEXT NOT NULL DEFAULT '';
UPDATE contacts SET data = (CASE WHEN variables = ''
	THEN json_build_array(name, address, email, state, callback_url, external_id, area_code, area_name, number_type, carrier)
	ELSE json_build_array(name, address, email, state, callback_url, external_id, area_code, area_name, number_type, carrier, variables::json) END)::text;
ALTER TABLE contacts ALTER COLUMN data DROP DEFAULT;
ALTER TABLE contacts DROP COLUMN name, DROP COLUMN address, DROP COLUMN email, DROP COLUMN state, DROP COLUMN callback_url,
	DROP COLUMN external_id, DROP COLUMN variables, DROP COLUMN area_code, DROP COLUMN area_name, DROP COLUMN number_type,
	DROP COLUMN carrier;
