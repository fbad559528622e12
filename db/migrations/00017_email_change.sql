-- +goose Up
-- Changing the address: a link to the new address confirms it; until
-- then the old one stays. The new address travels with the token.
ALTER TABLE email_token DROP CONSTRAINT email_token_purpose_check;
ALTER TABLE email_token ADD CONSTRAINT email_token_purpose_check CHECK (purpose IN ('verify', 'reset', 'email_change'));
ALTER TABLE email_token ADD COLUMN new_email text CHECK ((purpose = 'email_change') = (new_email IS NOT NULL));

-- +goose Down
DELETE FROM email_token WHERE purpose = 'email_change';
ALTER TABLE email_token DROP COLUMN new_email;
ALTER TABLE email_token DROP CONSTRAINT email_token_purpose_check;
ALTER TABLE email_token ADD CONSTRAINT email_token_purpose_check CHECK (purpose IN ('verify', 'reset'));
