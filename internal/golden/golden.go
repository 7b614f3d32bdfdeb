// Package golden says whether tests should rewrite their golden files
// instead of comparing with them: CIRCC_UPDATE=1 go test ./... rewrites
// every package's goldens at once (a -update flag would fail in the
// packages that do not define it).
package golden

import "os"

// EnvUpdate names the environment variable that asks for rewriting.
const EnvUpdate = "CIRCC_UPDATE"

// Update reports whether goldens are to be rewritten.
func Update() bool { return os.Getenv(EnvUpdate) == "1" }
