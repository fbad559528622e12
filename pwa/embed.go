// Package pwa embeds the built PWA (pwa/dist, made by `npm run build`) into
// the schalter binary. A checkout that has not built it yet embeds only
// dist/.gitkeep, and the server then says how to build it.
package pwa

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built PWA.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}
