// Package replicatest runs several real `threaddigest serve` processes on one
// PostgreSQL schema and checks what issue 8 promises: each digest slot posted
// exactly once, none missed, no comment lost, one poll of a thread at a time —
// also when a replica is killed in the middle of a post. It holds only tests;
// they need THREADDIGEST_TEST_POSTGRES_URL and Linux (inotify).
package replicatest
