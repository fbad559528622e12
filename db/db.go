// Package db embeds the database migrations and the demo catalogue, so the
// single binary can migrate and seed a database without the source tree.
package db

import (
	"embed"
	"io/fs"
)

// Migrations are the goose migrations, applied in file name order.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Seed is the demo catalogue: taxonomy.yaml, offices.yaml and one file per
// service under services/.
//
//go:embed seed
var Seed embed.FS

// SeedFS is Seed rooted at the seed directory, as catalog.LoadBundle wants it.
func SeedFS() fs.FS {
	sub, err := fs.Sub(Seed, "seed")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// AppRoleGrants are the privileges of the role the server runs as, with
// ":role" standing for the quoted role name.
//
//go:embed app-role.sql
var AppRoleGrants string
