// Package replicatest runs several real `threaddigest serve` processes on one
// PostgreSQL schema and checks what issues 8 and 12 promise: each digest slot
// posted at most once and none missed, except the slots that came due while a
// run was in flight, which fold into one catch-up; one run of a digest and
// destination in flight at a time; no comment lost or counted twice; one poll
// of a thread at a time — also when a replica is killed in the middle of a
// post, after which the next digest says it may repeat comments. It holds
// only tests; they need THREADDIGEST_TEST_POSTGRES_URL and Linux (inotify).
package replicatest
