package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	threaddigest "github.com/threaddigest/threaddigest"
	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/sqlite"
)

// The test binary doubles as the second process: with helperDBEnv set it
// runs claimer instead of the tests.
const (
	helperDBEnv     = "THREADDIGEST_SQLITE_TEST_CLAIMER_DB"
	helperHolderEnv = "THREADDIGEST_SQLITE_TEST_CLAIMER_HOLDER"
	processSlots    = 150
	processBatches  = 40
)

func TestMain(m *testing.M) {
	if db := os.Getenv(helperDBEnv); db != "" {
		if err := claimer(db, os.Getenv(helperHolderEnv), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var processBase = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// claimer claims every slot, then takes every slot over after its lease
// expired, then upserts overlapping batches of comments, reporting each win
// on out. It starts when a line arrives on in, so that both processes race.
func claimer(db, holder string, in io.Reader, out io.Writer) error {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(out, "ready")
	if _, err := bufio.NewReader(in).ReadString('\n'); err != nil {
		return fmt.Errorf("waiting for the start: %w", err)
	}
	for round, now := range []time.Time{processBase, processBase.Add(2 * time.Minute)} {
		for i := range processSlots {
			// One destination per slot: slots of one destination are claimed
			// one at a time, which is not what this test races.
			k := store.RunKey{Digest: "daily", Destination: fmt.Sprintf("slack:C%d", i), Slot: processBase.Add(time.Duration(i) * time.Hour)}
			_, claimed, err := s.ClaimRun(ctx, k, "t", holder, time.Minute, now)
			if err != nil {
				return err
			}
			if claimed {
				fmt.Fprintf(out, "claimed %d %d\n", round, i)
			}
		}
	}
	for j := range processBatches {
		var batch []threaddigest.Comment
		for id := j * 5; id < j*5+10; id++ {
			batch = append(batch, threaddigest.Comment{ID: strconv.Itoa(id), Author: "a", Body: "b"})
		}
		res, err := s.UpsertComments(ctx, "t", batch, processBase)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "added %d\n", res.Added)
	}
	return nil
}

// TestTwoProcessesOneFile runs two real processes on one SQLite file, as
// when `threaddigest serve` is started twice by mistake: every slot must be
// claimed once, every expired claim taken over once, every comment added once.
func TestTwoProcessesOneFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shared.db")
	s := openFile(t, db)
	if err := s.SaveThread(context.Background(), store.ThreadRecord{Name: "t", Source: "t.txt"}); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type proc struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Scanner
		lines []string
	}
	var procs []*proc
	for _, holder := range []string{"process-a", "process-b"} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), helperDBEnv+"="+db, helperHolderEnv+"="+holder)
		cmd.Stderr = &strings.Builder{}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
		if !p.out.Scan() || p.out.Text() != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%s did not start: %q %s", holder, p.out.Text(), cmd.Stderr)
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		fmt.Fprintln(p.stdin, "go")
	}
	claims := make(map[string]int)
	added := 0
	for i, p := range procs {
		for p.out.Scan() {
			line := p.out.Text()
			p.lines = append(p.lines, line)
			if n, ok := strings.CutPrefix(line, "added "); ok {
				v, _ := strconv.Atoi(n)
				added += v
			} else {
				claims[line]++
			}
		}
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v: %s", i, err, p.cmd.Stderr)
		}
	}
	for round := range 2 {
		for i := range processSlots {
			if n := claims[fmt.Sprintf("claimed %d %d", round, i)]; n != 1 {
				t.Errorf("round %d slot %d was claimed %d times, want once", round, i, n)
			}
		}
	}
	wins := [2]int{}
	for i, p := range procs {
		for _, l := range p.lines {
			if strings.HasPrefix(l, "claimed") {
				wins[i]++
			}
		}
	}
	t.Logf("claims won: process a %d, process b %d (of %d)", wins[0], wins[1], 2*processSlots)
	distinct := processBatches*5 + 5
	if added != distinct {
		t.Errorf("the processes added %d comments in all, want %d (each once)", added, distinct)
	}
	cs, err := s.Comments(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != distinct {
		t.Errorf("stored %d comments, want %d", len(cs), distinct)
	}
}
