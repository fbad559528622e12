-- Privileges of the role the server runs as (`schalter admin
-- grant-app-role --role NAME`, run as the schema owner after migrations).
-- The application may read and write its tables but only append to the
-- transparency log: it has no UPDATE, DELETE or TRUNCATE there, so even a
-- compromised server cannot rewrite who saw a person's data.
-- :role is replaced by the quoted role name.
GRANT USAGE ON SCHEMA public TO :role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :role;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :role;
REVOKE UPDATE, DELETE, TRUNCATE ON transparency_log FROM :role;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON transparency_anchor FROM :role;
REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM :role;
-- Submitted cases, their timelines and issued documents are records of
-- the offices: the server appends and moves statuses, never deletes.
REVOKE UPDATE, DELETE, TRUNCATE ON case_event FROM :role;
REVOKE DELETE, TRUNCATE ON order_case, document FROM :role;
-- The journal is append-only (the triggers say so too); bills, fees,
-- payments and refunds are accounting records: never deleted.
REVOKE UPDATE, DELETE, TRUNCATE ON journal_entry, posting FROM :role;
REVOKE DELETE, TRUNCATE ON case_bill, case_fee, payment, refund, payment_webhook FROM :role;
-- Bank imports and their credits are records of the books too: the work
-- list resolves a credit by recording what was done, never by deleting it.
REVOKE DELETE, TRUNCATE ON bank_import, bank_credit FROM :role;
