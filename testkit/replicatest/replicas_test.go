//go:build linux

package replicatest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/postgres"
	"github.com/threaddigest/threaddigest/store/postgres/pgtest"
)

const (
	replicas   = 3
	every      = 2 * time.Second // the digest's schedule
	lease      = 5 * time.Second // [store] lease
	poll       = time.Second     // the thread's poll interval
	runFor     = 30 * time.Second
	killAfter  = 10 * time.Second
	stopAppend = 24 * time.Second
	digestName = "replicas"
)

// TestThreeReplicas is issue 8's test: three serve processes, a schedule
// every two seconds, a local Slack webhook sink, a thread file that grows,
// and one replica SIGKILLed while its post is held open by the sink.
func TestThreeReplicas(t *testing.T) {
	schemaURL, schema := pgtest.Schema(t)
	built := time.Now()
	bin := buildServe(t)
	t.Logf("built threaddigest in %v", time.Since(built).Round(time.Millisecond))
	dir := t.TempDir()

	threadPath := filepath.Join(dir, "thread.jsonl")
	th := openThreadFile(t, threadPath)
	th.append(t, 10)

	sink := newSink()
	srv := httptest.NewServer(sink)
	defer srv.Close()
	webhook := srv.URL + "/services/T0001/B0001/not-a-real-secret"

	// The test's own writer is open before the watch starts, so every open
	// the watch sees is a poller's.
	reads := watchReads(t, threadPath)
	t.Cleanup(func() { reads.stop() })

	procs := make(map[string]*exec.Cmd)
	logs := make(map[string]string)
	t.Cleanup(func() {
		for _, cmd := range procs {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
		}
		if t.Failed() {
			for id, path := range logs {
				b, _ := os.ReadFile(path)
				t.Logf("log of %s:\n%s", id, tail(string(b), 60))
			}
		}
	})
	var ids []string
	for i := 1; i <= replicas; i++ {
		id := fmt.Sprintf("replica-%d", i)
		ids = append(ids, id)
		cfg := filepath.Join(dir, id+".toml")
		writeConfig(t, cfg, schemaURL, threadPath, webhook)
		logPath := filepath.Join(dir, id+".log")
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		defer logFile.Close()
		cmd := exec.Command(bin, "serve", "--config", cfg)
		cmd.Env = append(os.Environ(), "THREADDIGEST_REPLICA_ID="+id)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		// All three start at once: their migrations race, as replicas'
		// do in a rolling deploy.
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[id], logs[id] = cmd, logPath
	}
	for _, id := range ids {
		waitForLog(t, logs[id], "service started", 60*time.Second)
	}
	start := time.Now()
	t.Logf("three replicas started on schema %s", schema)

	// The thread grows while the replicas run.
	appendDone := make(chan struct{})
	go func() {
		defer close(appendDone)
		for n := 0; time.Since(start) < stopAppend; n++ {
			th.append(t, 1+n%3)
			time.Sleep(700 * time.Millisecond)
		}
	}()

	// Kill the replica whose post the sink holds open.
	time.Sleep(killAfter)
	held := sink.holdNext()
	var victim string
	var victimSlot time.Time
	select {
	case victimSlot = <-held:
	case <-time.After(4 * every):
		t.Fatal("no post arrived to hold")
	}
	if victimSlot.IsZero() {
		ps := sink.posts()
		t.Fatalf("the held post names no slot (<!date^…^ in its footer):\n%s", ps[len(ps)-1].raw)
	}
	victim, postingSlot := postingHolder(t, schemaURL)
	if !postingSlot.Equal(victimSlot) {
		t.Fatalf("the held post is for slot %v but the run posting is %v", victimSlot, postingSlot)
	}
	if err := procs[victim].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	procs[victim].Wait()
	sink.release()
	killedAt := time.Since(start)
	t.Logf("killed %s at %v while it posted slot %v", victim, killedAt.Round(time.Millisecond), victimSlot.Format("15:04:05"))

	time.Sleep(runFor - time.Since(start))
	<-appendDone
	lastSlot := time.Now().Truncate(every)
	for id, cmd := range procs {
		if id != victim {
			cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for id, cmd := range procs {
		if id == victim {
			continue
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s did not stop cleanly on SIGTERM: %v", id, err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("%s did not stop within 20s of SIGTERM", id)
			cmd.Process.Kill()
		}
	}
	elapsed := time.Since(start)

	ctx := context.Background()
	st, err := postgres.Open(ctx, schemaURL, postgres.Options{PoolSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx, digestName, 0)
	if err != nil {
		t.Fatal(err)
	}
	comments, err := st.Comments(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	posts := sink.posts()

	// Every slot from the first whole slot after start to the last before
	// the stop has exactly one run, posted — except the slot whose holder
	// was killed mid-post, which the store marked uncertain, and the slots
	// that folded into the catch-up after it — and reached the sink exactly
	// once.
	bySlot := make(map[time.Time]store.Run)
	for _, r := range runs {
		if prev, dup := bySlot[r.Slot]; dup {
			t.Errorf("slot %v has two runs: %+v and %+v", r.Slot, prev, r)
		}
		bySlot[r.Slot] = r
	}
	postsBySlot := make(map[time.Time][]post)
	for _, p := range posts {
		postsBySlot[p.slot] = append(postsBySlot[p.slot], p)
	}
	for slot, ps := range postsBySlot {
		if len(ps) != 1 {
			t.Errorf("slot %v reached the sink %d times, want once", slot.Format("15:04:05"), len(ps))
		}
		if _, ok := bySlot[slot]; !ok {
			t.Errorf("slot %v reached the sink but has no run in the store", slot.Format("15:04:05"))
		}
	}
	// One run of the digest and destination is in flight at a time: the
	// slots that came due while the killed replica's run was posting (until
	// its lease ran out) have no run of their own; the first run after it
	// is their one catch-up, and says it may repeat comments of the cut
	// post.
	var afterVictim time.Time
	for _, r := range runs {
		if r.Slot.After(victimSlot) && (afterVictim.IsZero() || r.Slot.Before(afterVictim)) {
			afterVictim = r.Slot
		}
	}
	if afterVictim.IsZero() {
		t.Errorf("no run after the killed replica's slot %v: the slots after it were never caught up", victimSlot.Format("15:04:05"))
	}
	bySlotOrder := slices.Clone(runs)
	slices.SortFunc(bySlotOrder, func(a, b store.Run) int { return a.Slot.Compare(b.Slot) })
	for i := 1; i < len(bySlotOrder); i++ {
		prev, r := bySlotOrder[i-1], bySlotOrder[i]
		if r.ClaimedAt.Before(prev.FinishedAt) {
			t.Errorf("slot %v was claimed at %v, before the run of slot %v ended (%v): two runs in flight at once",
				r.Slot.Format("15:04:05"), r.ClaimedAt.Format("15:04:05.000"), prev.Slot.Format("15:04:05"), prev.FinishedAt.Format("15:04:05.000"))
		}
	}
	for _, p := range posts {
		if repeats := strings.Contains(p.raw, "may have been posted before"); repeats != p.slot.Equal(afterVictim) {
			t.Errorf("slot %v: the post says it may repeat comments: %v; only the first after the cut post (%v) should", p.slot.Format("15:04:05"), repeats, afterVictim.Format("15:04:05"))
		}
	}
	first := start.Truncate(every).Add(every)
	var uncertain, folded int
	for slot := first; !slot.After(lastSlot.Add(-every)); slot = slot.Add(every) {
		r, ok := bySlot[slot.UTC()]
		switch {
		case !ok && slot.After(victimSlot) && slot.Before(afterVictim):
			folded++
			continue
		case !ok:
			t.Errorf("slot %v was missed: no run", slot.Format("15:04:05"))
			continue
		case r.State == store.RunUncertain:
			uncertain++
			if !slot.Equal(victimSlot) || r.Holder != victim {
				t.Errorf("slot %v is uncertain (%s, holder %s) but only %s's held slot %v should be", slot.Format("15:04:05"), r.Error, r.Holder, victim, victimSlot.Format("15:04:05"))
			}
		case r.State != store.RunPosted:
			t.Errorf("slot %v ended %s (%s), want posted", slot.Format("15:04:05"), r.State, r.Error)
		}
		if n := len(postsBySlot[slot.UTC()]); n != 1 {
			t.Errorf("slot %v (%s) reached the sink %d times, want once", slot.Format("15:04:05"), r.State, n)
		}
	}
	if uncertain != 1 {
		t.Errorf("%d uncertain runs, want exactly 1: the slot whose post was cut by the kill", uncertain)
	}
	if folded == 0 {
		t.Errorf("no slot folded into the catch-up after the killed replica's slot, though its posting lease (%v) spans several", lease+4*time.Second)
	}
	if r := bySlot[victimSlot.UTC()]; r.State != store.RunUncertain {
		t.Errorf("the killed replica's slot %v ended %s, want uncertain: it may have reached the channel, so it must not be posted again", victimSlot.Format("15:04:05"), r.State)
	}

	// No comment lost: every appended comment is stored, each posted digest
	// counted exactly the comments between the previous posted run's
	// coverage and its own, and the last one covered every comment stored
	// before it started.
	stored := make(map[string]store.CommentRecord)
	for _, c := range comments {
		stored[c.ID] = c
	}
	for _, id := range th.ids() {
		if _, ok := stored[id]; !ok {
			t.Errorf("comment %s was appended to the thread but never stored", id)
		}
	}
	seqs := make([]int64, 0, len(comments))
	for _, c := range comments {
		seqs = append(seqs, c.Seq)
	}
	countUpTo := func(seq int64) int {
		n, _ := slices.BinarySearch(seqs, seq+1)
		return n
	}
	posted := slices.DeleteFunc(slices.Clone(runs), func(r store.Run) bool { return r.State != store.RunPosted })
	slices.SortFunc(posted, func(a, b store.Run) int { return a.Slot.Compare(b.Slot) })
	var covered int64
	for _, r := range posted {
		ps := postsBySlot[r.Slot]
		if len(ps) != 1 {
			continue // reported above
		}
		p := ps[0]
		if !p.counted {
			t.Errorf("slot %v: the post does not say how many comments were new: %q", r.Slot.Format("15:04:05"), tail(p.text, 3))
			continue
		}
		if r.CoveredTo < covered {
			t.Errorf("slot %v covered up to Seq %d, below the %d covered before", r.Slot.Format("15:04:05"), r.CoveredTo, covered)
		}
		wantNew := countUpTo(r.CoveredTo) - countUpTo(covered)
		if p.newCount != wantNew || p.total != countUpTo(r.CoveredTo) {
			t.Errorf("slot %v said %d new, %d in all; the store holds %d comments in (%d, %d] and %d up to %d",
				r.Slot.Format("15:04:05"), p.newCount, p.total, wantNew, covered, r.CoveredTo, countUpTo(r.CoveredTo), r.CoveredTo)
		}
		covered = max(covered, r.CoveredTo)
	}
	if len(posted) > 0 {
		last := posted[len(posted)-1]
		for _, c := range comments {
			if c.FirstSeen.Before(last.ClaimedAt.Add(-time.Second)) && c.Seq > last.CoveredTo {
				t.Errorf("comment %s (Seq %d, stored %v) was stored before the last digest (%v) but never covered", c.ID, c.Seq, c.FirstSeen, last.ClaimedAt)
			}
		}
	}

	// One poll at a time: the file source opens the thread file once per
	// poll, so the opens show how many polls ran. One replica polling every
	// second reads the file about once a second; replicas polling side by
	// side would read it two or three times as often.
	opens, maxInFlight := reads.stop()
	maxOpens := int(elapsed/poll) + 5
	if opens > maxOpens {
		t.Errorf("the thread file was read %d times in %v; one poller every %v reads it at most ~%d times", opens, elapsed.Round(time.Second), poll, maxOpens)
	}
	if maxInFlight > 1 {
		t.Errorf("the thread file was open for reading by %d pollers at once", maxInFlight)
	}
	t.Logf("%v: %d runs (%d posted, %d uncertain, %d slots folded into the catch-up at %v), %d posts received, %d comments stored (%d appended), %d reads of the thread file (at most %d at once)",
		elapsed.Round(time.Second), len(runs), len(posted), uncertain, folded, afterVictim.Format("15:04:05"), len(posts), len(comments), len(th.ids()), opens, maxInFlight)
}

// buildServe builds the threaddigest binary into the test's temporary folder.
func buildServe(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "threaddigest")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/threaddigest/threaddigest/cmd/threaddigest")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func writeConfig(t *testing.T, path, storeURL, threadPath, webhook string) {
	t.Helper()
	q := strconv.Quote
	cfg := fmt.Sprintf(`[store]
url = %s
lease = "%s"
pool_size = 4

[http]
listen = "off"

[bot]
poll_interval = "%s"
run_timeout = "4s"
catch_up_window = "1m"

[log]
level = "debug"

[[thread]]
name = "t"
source = %s
format = "jsonl"
target = "free buses"
poll = "%s"

[[digest]]
name = %s
thread = "t"
schedule = "@every %s"
to = [%s]
min_new_comments = 0
`, q(storeURL), lease, poll, q(threadPath), poll, q(digestName), every, q("slack-webhook:"+webhook))
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitForLog waits until the log file holds text.
func waitForLog(t *testing.T, path, text string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), text) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(path)
	t.Fatalf("%s does not say %q after %v:\n%s", path, text, within, tail(string(b), 40))
}

// postingHolder returns the replica whose run is being posted.
func postingHolder(t *testing.T, schemaURL string) (string, time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var holder string
	var slot time.Time
	if err := conn.QueryRow(ctx, `SELECT holder, slot FROM runs WHERE state = 'posting'`).Scan(&holder, &slot); err != nil {
		t.Fatalf("finding the run being posted: %v", err)
	}
	return holder, slot.UTC()
}

func tail(s string, lines int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// threadFile is the thread the replicas poll, grown by appending JSON lines
// through one descriptor kept open for the whole test.
type threadFile struct {
	file *os.File
	mu   sync.Mutex
	n    int
	all  []string
}

func openThreadFile(t *testing.T, path string) *threadFile {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &threadFile{file: f}
}

var opinions = []string{
	"Free buses would get cars off the road and cut congestion downtown.",
	"Nothing is free; the city will raise property taxes to pay for the buses.",
	"Fare-free transit helps low-income workers reach jobs, that is reason enough.",
	"The buses are already empty at night, making them free will not change that.",
	"Kansas City went fare-free and ridership went up, the evidence is there.",
	"Spend the money on more frequent service instead of dropping fares.",
}

func (f *threadFile) append(t *testing.T, k int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for range k {
		f.n++
		id := fmt.Sprintf("c%03d", f.n)
		line, _ := json.Marshal(map[string]any{
			"id": id, "author": fmt.Sprintf("reader%d", f.n%17), "location": "Boulder, Co",
			"body": opinions[f.n%len(opinions)] + fmt.Sprintf(" (comment %d)", f.n),
		})
		b.Write(line)
		b.WriteByte('\n')
		f.all = append(f.all, id)
	}
	if _, err := f.file.WriteString(b.String()); err != nil {
		t.Error(err)
	}
}

func (f *threadFile) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.all)
}

// post is one request the sink received.
type post struct {
	raw      string
	slot     time.Time
	text     string
	counted  bool
	newCount int
	total    int
}

// sink is a Slack incoming webhook. It can hold one request open, so that
// the test knows a post is under way when it kills the poster.
type sink struct {
	mu       sync.Mutex
	received []post
	hold     chan time.Time // non-nil: hold the next post and send its slot
	released chan struct{}
}

func newSink() *sink { return &sink{released: make(chan struct{})} }

var (
	slotRe  = regexp.MustCompile(`(?:<|\\u003c)!date\^(\d+)\^`)
	countRe = regexp.MustCompile(`(\d+) new comments?, (\d+) in all`)
)

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	var payload struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	p := post{raw: string(body), text: payload.Text}
	if m := slotRe.FindSubmatch(body); m != nil {
		sec, _ := strconv.ParseInt(string(m[1]), 10, 64)
		p.slot = time.Unix(sec, 0).UTC()
	}
	if m := countRe.FindStringSubmatch(payload.Text); m != nil {
		p.counted = true
		p.newCount, _ = strconv.Atoi(m[1])
		p.total, _ = strconv.Atoi(m[2])
	}
	s.mu.Lock()
	s.received = append(s.received, p)
	hold := s.hold
	s.hold = nil
	s.mu.Unlock()
	if hold != nil {
		hold <- p.slot
		select {
		case <-s.released:
		case <-r.Context().Done():
		}
	}
	io.WriteString(w, "ok")
}

// holdNext makes the sink hold the next post open until release; the
// returned channel gets its slot.
func (s *sink) holdNext() <-chan time.Time {
	ch := make(chan time.Time, 1)
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	return ch
}

func (s *sink) release() { close(s.released) }

func (s *sink) posts() []post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received)
}

// readWatch counts, with inotify, how often the thread file is opened and
// closed without writing — the file source's reads — and the most reads open
// at once.
type readWatch struct {
	file        *os.File
	done        chan struct{}
	once        sync.Once
	mu          sync.Mutex
	reads       int
	inFlight    int
	maxInFlight int
}

func watchReads(t *testing.T, path string) *readWatch {
	t.Helper()
	// Non-blocking, so that the runtime's poller waits for events and
	// Close ends a pending Read.
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	if _, err := syscall.InotifyAddWatch(fd, path, syscall.IN_OPEN|syscall.IN_CLOSE_NOWRITE); err != nil {
		syscall.Close(fd)
		t.Fatalf("inotify watch %s: %v", path, err)
	}
	w := &readWatch{file: os.NewFile(uintptr(fd), "inotify"), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *readWatch) loop() {
	defer close(w.done)
	buf := make([]byte, 64*1024)
	for {
		n, err := w.file.Read(buf)
		if err != nil || n <= 0 {
			return
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			w.mu.Lock()
			switch {
			case ev.Mask&syscall.IN_OPEN != 0:
				w.inFlight++
				w.maxInFlight = max(w.maxInFlight, w.inFlight)
			case ev.Mask&syscall.IN_CLOSE_NOWRITE != 0:
				w.inFlight--
				w.reads++
			}
			w.mu.Unlock()
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

func (w *readWatch) stop() (reads, maxInFlight int) {
	w.once.Do(func() {
		w.file.Close()
		<-w.done
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reads, w.maxInFlight
}
