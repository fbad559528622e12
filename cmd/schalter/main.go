// Command schalter is the single binary of Schalter: the server, the
// database tools and the spec generator. See `schalter help`.
package main

import (
	"os"

	"github.com/schalter-ch/schalter/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:]))
}
