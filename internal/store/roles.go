package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/schalter-ch/schalter/db"
)

// GrantAppRole gives an existing database role what the server needs to
// run, and no more: SELECT and INSERT only on the transparency log. It is
// DDL with an identifier, which sqlc cannot express, so the statements
// live in db/app-role.sql and the name is quoted by pgx.
func (q *Queries) GrantAppRole(ctx context.Context, role string) error {
	sql := strings.ReplaceAll(db.AppRoleGrants, ":role", pgx.Identifier{role}.Sanitize())
	return q.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql)
		return err
	})
}
