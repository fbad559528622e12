-- +goose Up
-- A submission books its bill, fees and charge before it takes the case's
-- number: the year's counter row (case_counter) stays locked from
-- numbering to commit, and every submission of the city waits for it, so
-- the statements after the number are the ones all submissions queue
-- behind. Those rows name the case before it is inserted (its id is made
-- first), so their references to it are checked at commit, not at once.
-- Nothing else changes: the references are still enforced, only later in
-- the same transaction.
ALTER TABLE case_bill ALTER CONSTRAINT case_bill_case_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE journal_entry ALTER CONSTRAINT journal_entry_case_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE posting ALTER CONSTRAINT posting_case_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- +goose Down
ALTER TABLE posting ALTER CONSTRAINT posting_case_id_fkey NOT DEFERRABLE;
ALTER TABLE journal_entry ALTER CONSTRAINT journal_entry_case_id_fkey NOT DEFERRABLE;
ALTER TABLE case_bill ALTER CONSTRAINT case_bill_case_id_fkey NOT DEFERRABLE;
