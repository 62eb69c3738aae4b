package threaddigest

import _ "embed"

// Notice is the NOTICE file: the licence of threaddigest and the credits of
// the data embedded in the binary, which their licences ask to travel with
// every copy. `threaddigest version` prints it.
//
//go:embed NOTICE
var Notice string
