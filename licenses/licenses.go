// Package licenses carries the licence texts of the third-party Go modules
// compiled into the threaddigest binary, which their licences ask to travel
// with every copy of it. `threaddigest version --licenses` prints them.
package licenses

import _ "embed"

//go:generate go run ./internal/licgen -out THIRD_PARTY.txt

// ThirdParty is THIRD_PARTY.txt, written by internal/licgen: the list of
// the modules linked into cmd/threaddigest with their versions, then each
// module's licence and notice files verbatim, then the Go standard library's
// licence. A test fails when it no longer matches the modules the binary
// links (run `go generate ./licenses`).
//
//go:embed THIRD_PARTY.txt
var ThirdParty string
