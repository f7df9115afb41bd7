// Package migrations embeds the versioned SQL schema, one folder per dialect
// with the same version numbers.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var all embed.FS

// Dialect returns the migrations of one dialect: "postgres" or "sqlite".
func Dialect(name string) fs.FS {
	sub, err := fs.Sub(all, name)
	if err != nil {
		panic(err) // the folder names are fixed at compile time
	}
	return sub
}
