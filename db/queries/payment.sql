-- name: PaymentReferenceNext :one
SELECT nextval('payment_reference_seq')::bigint;

-- name: PaymentReferencesNext :many
-- The next n numbers, for a batch of payments.
SELECT nextval('payment_reference_seq')::bigint FROM generate_series(1, @n::int);

-- name: BillInsert :one
INSERT INTO case_bill (case_id, office_slug, collect, reference, due_on)
VALUES (@case_id, @office_slug, @collect, @reference, @due_on)
RETURNING *;

-- name: BillOfCase :one
SELECT * FROM case_bill WHERE case_id = @case_id;

-- name: BillByReference :one
SELECT sqlc.embed(b), c.number AS case_number, c.status AS case_status, c.account_id
FROM case_bill b JOIN order_case c ON c.id = b.case_id WHERE b.reference = @reference;

-- name: FeeInsert :one
INSERT INTO case_fee (case_id, fee_type, label, quantity, unit_amount, amount, vat, vat_amount, charge_entry, created_by)
VALUES (@case_id, @fee_type, @label, @quantity, @unit_amount, @amount, @vat, @vat_amount, @charge_entry, @created_by)
RETURNING *;

-- name: FeesOfCase :many
SELECT * FROM case_fee WHERE case_id = @case_id ORDER BY id;

-- name: FeeCancel :exec
UPDATE case_fee SET cancel_entry = @cancel_entry WHERE id = @id AND cancel_entry IS NULL;

-- name: PaymentInsert :one
INSERT INTO payment (id, reference, case_id, account_id, method, session, status, amount, redirect_url, expires_at, paid_at, paid_with, charge, state_at)
VALUES (@id, @reference, @case_id, @account_id, @method, @session, @status, @amount, @redirect_url, @expires_at, @paid_at, @paid_with, @charge, @state_at)
RETURNING *;

-- name: PaymentStarted :exec
UPDATE payment SET session = @session, redirect_url = @redirect_url, expires_at = @expires_at, updated_at = now() WHERE id = @id;

-- name: BankPaymentsInsert :many
-- Paid payments the bank reported, any number in one statement; a nil
-- account is the zero UUID.
INSERT INTO payment (id, reference, case_id, account_id, method, session, status, amount, paid_at, paid_with, state_at)
SELECT t.id, t.reference, t.case_id, nullif(t.account_id, '00000000-0000-0000-0000-000000000000'::uuid), 'bank', t.session, 'paid',
       t.amount, t.paid_at, 'qr-bill', t.paid_at
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@refs::text[]) AS reference, unnest(@case_ids::uuid[]) AS case_id,
             unnest(@account_ids::uuid[]) AS account_id, unnest(@sessions::text[]) AS session, unnest(@amounts::bigint[]) AS amount,
             unnest(@paid_ats::timestamptz[]) AS paid_at) t
RETURNING *;

-- name: PaymentsLockBySessions :many
-- The payments of sessions of one method, locked in id order.
SELECT * FROM payment WHERE method = @method AND session = ANY(@sessions::text[]) ORDER BY id FOR UPDATE;

-- name: PaymentLock :one
SELECT * FROM payment WHERE id = @id FOR UPDATE;

-- name: PaymentGet :one
SELECT * FROM payment WHERE id = @id;

-- name: PaymentOpenOfCase :one
-- The person's unfinished checkout with a provider, reused while it runs.
SELECT * FROM payment
WHERE case_id = @case_id AND method = @method AND status = 'pending' AND session IS NOT NULL AND expires_at > now() + interval '5 minutes'
ORDER BY created_at DESC LIMIT 1;

-- name: PaymentsOfCase :many
SELECT * FROM payment WHERE case_id = @case_id ORDER BY created_at, id;

-- name: PaymentsOfAccount :many
SELECT sqlc.embed(p), c.number AS case_number, c.service_slug
FROM payment p JOIN order_case c ON c.id = p.case_id
WHERE p.account_id = @account_id AND p.status <> 'pending'
ORDER BY p.created_at DESC, p.id LIMIT @max;

-- name: PaymentsToConfirm :many
-- Checkouts that may have finished without a webhook reaching Schalter:
-- older than a grace period and not final, oldest first.
SELECT * FROM payment
WHERE status = 'pending' AND session IS NOT NULL AND method = ANY(@methods::text[]) AND created_at < @before
ORDER BY created_at LIMIT @max;

-- name: PaymentRefunded :exec
UPDATE payment SET refunded = refunded + @delta, updated_at = now() WHERE id = @id;

-- name: WebhooksSeen :many
-- Events of one provider recorded once each; the ids of those that are
-- new (a repetition was processed before).
INSERT INTO payment_webhook (provider, event_id, type)
SELECT @provider::text, unnest(@event_ids::text[]), unnest(@types::text[])
ON CONFLICT DO NOTHING RETURNING event_id;

-- name: PaymentsSetState :exec
-- The states of many payments as their providers told them, in one
-- statement; ids are distinct. No charge is '', not paid the zero time.
UPDATE payment p SET status = u.status, amount = u.amount, charge = nullif(u.charge, ''), paid_with = u.paid_with,
    paid_at = nullif(u.paid_at, '0001-01-01 00:00:00+00'::timestamptz), state_at = u.state_at, updated_at = now()
FROM (SELECT unnest(@ids::uuid[]) AS id, unnest(@statuses::text[]) AS status, unnest(@amounts::bigint[]) AS amount,
             unnest(@charges::text[]) AS charge, unnest(@paid_withs::text[]) AS paid_with, unnest(@paid_ats::timestamptz[]) AS paid_at,
             unnest(@state_ats::timestamptz[]) AS state_at) u
WHERE p.id = u.id;

-- name: RefundInsert :one
INSERT INTO refund (id, payment_id, amount, status, reason, requested_by)
VALUES (@id, @payment_id, @amount, 'pending', @reason, @requested_by)
RETURNING *;

-- name: RefundLock :one
SELECT * FROM refund WHERE id = @id FOR UPDATE;

-- name: RefundSetState :exec
UPDATE refund SET status = @status, provider_ref = @provider_ref, entry_id = @entry_id, updated_at = now() WHERE id = @id;

-- name: RefundsOfCase :many
SELECT r.* FROM refund r JOIN payment p ON p.id = r.payment_id WHERE p.case_id = @case_id ORDER BY r.created_at, r.id;

-- name: DevSessionInsert :exec
INSERT INTO devpay_session (id, payment, reference, amount, description, language, success_url, cancel_url, expires_at)
VALUES (@id, @payment, @reference, @amount, @description, @language, @success_url, @cancel_url, @expires_at);

-- name: DevSessionGet :one
SELECT * FROM devpay_session WHERE id = @id;

-- name: DevSessionDecide :one
-- A session is decided once; later choices change nothing.
UPDATE devpay_session SET state = @state, charge = @charge, decided_at = now()
WHERE id = @id AND state = 'pending' AND expires_at > now()
RETURNING *;

-- name: DevSessionRefund :one
UPDATE devpay_session SET refunded = refunded + @amount WHERE charge = @charge AND state = 'paid' AND refunded + @amount <= amount
RETURNING *;
