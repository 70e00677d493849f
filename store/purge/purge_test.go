package purge

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
)

var opened = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// TestRun checks what one purge deletes: batches until one comes back
// short or fails.
func TestRun(t *testing.T) {
	failed := errors.New("database gone")
	cases := []struct {
		name    string
		results []int64 // what each call deletes; past its end, 0
		err     error   // the error of the last call in results
		want    int     // calls made
		stats   game.PurgeStats
	}{
		{"nothing to delete", nil, nil, 1, game.PurgeStats{Deletions: 1}},
		{"one short batch", []int64{3}, nil, 1, game.PurgeStats{Deletions: 1, Purged: 3}},
		{"full batches, then a short one", []int64{4, 4, 1}, nil, 3, game.PurgeStats{Deletions: 3, Purged: 9}},
		{"full batches, then none", []int64{4, 4}, nil, 3, game.PurgeStats{Deletions: 3, Purged: 8}},
		{"a failure ends it, its count not counted", []int64{4, 4}, failed, 2, game.PurgeStats{Deletions: 2, Failed: 1, Purged: 4}},
		{"a failure that deleted nothing ends it too", []int64{0}, failed, 1, game.PurgeStats{Deletions: 1, Failed: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls int
			p := newPurger(opened, func(ctx context.Context, limit int) (int64, error) {
				if limit != 4 {
					t.Errorf("limit: got %d, want 4", limit)
				}
				// The deadline is batchTimeout after the batch began,
				// just before this call. Its 30 seconds are written out
				// here, not read from batchTimeout, so that a slip of
				// its unit (milliseconds, giving up every batch on a
				// busy database) fails; 5 seconds are this call's
				// slack on a loaded machine.
				if deadline, ok := ctx.Deadline(); !ok {
					t.Error("a batch has no deadline")
				} else if left := time.Until(deadline); left <= 25*time.Second || left > 30*time.Second {
					t.Errorf("a batch's deadline is %v away, want 30s less the time since it began", left)
				}
				calls++
				if calls > len(c.results) {
					return 0, nil
				}
				if calls == len(c.results) && c.err != nil {
					return c.results[calls-1], c.err
				}
				return c.results[calls-1], nil
			}, 4)
			defer p.Close()
			p.Maybe(opened.Add(Every))
			p.Wait()
			if calls != c.want {
				t.Errorf("got %d calls, want %d", calls, c.want)
			}
			if got := p.Stats(); got != c.stats {
				t.Errorf("Stats: got %+v, want %+v", got, c.stats)
			}
		})
	}
}

// gatedPurger is a purger of a store opened at opened whose every purge
// counts itself in calls, then waits for release to close before it ends.
func gatedPurger(release <-chan struct{}) (p *Purger, calls *atomic.Int64) {
	calls = new(atomic.Int64)
	p = newPurger(opened, func(ctx context.Context, limit int) (int64, error) {
		calls.Add(1)
		<-release
		return 0, nil
	}, 4)
	return p, calls
}

// TestMaybe checks when a purge starts: a minute after the store opened or
// the last purge started, and never beside one still running; and that a
// clock set back does not hold the purges back.
func TestMaybe(t *testing.T) {
	release := make(chan struct{})
	p, calls := gatedPurger(release)
	defer p.Close()
	// maybe calls Maybe at now, waits for the purge it may start, and
	// wants want purges started in all.
	maybe := func(now time.Time, want int64, when string) {
		t.Helper()
		p.Maybe(now)
		p.Wait()
		if got := calls.Load(); got != want {
			t.Fatalf("%s: got %d calls, want %d", when, got, want)
		}
	}

	maybe(opened.Add(Every-time.Nanosecond), 0, "less than a minute after the store opened")

	p.Maybe(opened.Add(Every)) // starts, and waits for release
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	p.Maybe(opened.Add(3 * Every)) // two minutes on, while it runs
	close(release)
	p.Wait()
	if got := calls.Load(); got != 1 {
		t.Fatalf("with a purge running: got %d calls, want 1", got)
	}

	// The start refused while the first ran still counts as the last:
	// nothing until a minute after it.
	maybe(opened.Add(4*Every-time.Nanosecond), 1, "less than a minute after the last")
	maybe(opened.Add(4*Every), 2, "a minute after the last")

	// A visit that read the clock before the last start, and came after
	// it, starts nothing.
	maybe(opened.Add(4*Every-time.Microsecond), 2, "a visit's time just before the last start")

	// The clock set back an hour: the purges go on from the new time,
	// not an hour later.
	back := opened.Add(4*Every - time.Hour)
	maybe(back, 3, "with the clock set back an hour")
	maybe(back.Add(Every-time.Nanosecond), 3, "less than a minute after the start with the clock set back")
	maybe(back.Add(Every), 4, "a minute after the start with the clock set back")

	// Set back less than a minute, the clock is a visit's that read it
	// before the last start; a minute exactly, it was set back.
	last := back.Add(Every)
	maybe(last.Add(-Every+time.Nanosecond), 4, "the clock a nanosecond less than a minute before the last start")
	maybe(last.Add(-Every), 5, "the clock a minute before the last start")
}

// TestClose checks that Close stops a purge with a backlog it would go on
// deleting, and that no purge starts after it: whether the batch in flight
// ends with its context (stuck on a lock, it fails with Close's
// cancellation, which is not counted as a failure) or, finishing as Close
// begins, deletes a full batch (the loop stops before the next: Close's
// wait is never a whole backlog's).
func TestClose(t *testing.T) {
	cases := []struct {
		name  string
		fails bool // the batch in flight returns its context's error
		stats game.PurgeStats
	}{
		{"the batch in flight ends with its context", true, game.PurgeStats{Deletions: 1}},
		{"the batch in flight deletes a full batch", false, game.PurgeStats{Deletions: 1, Purged: 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int64
			inFlight := make(chan struct{})
			var ended error // what ended the batch
			p := newPurger(opened, func(ctx context.Context, limit int) (int64, error) {
				if calls.Add(1) > 1 {
					// A purge that goes on after Close deletes nothing
					// more, so that it ends and is counted, not hangs.
					return 0, nil
				}
				close(inFlight)
				<-ctx.Done() // held until Close has begun
				ended = context.Cause(ctx)
				if c.fails {
					return int64(limit), ctx.Err()
				}
				return int64(limit), nil
			}, 4)
			p.Maybe(opened.Add(Every))
			<-inFlight
			p.Close() // returns only once the batch has seen its context end
			if got := calls.Load(); got != 1 {
				t.Fatalf("got %d calls before Close returned, want 1", got)
			}
			if !errors.Is(ended, context.Canceled) {
				t.Errorf("the batch in flight ended with %v, want Close's cancellation (not its own timeout)", ended)
			}
			if got := p.Stats(); got != c.stats {
				t.Errorf("Stats: got %+v, want %+v: one deletion, and Close's stop no failure", got, c.stats)
			}
			p.Maybe(opened.Add(2 * Every))
			p.Wait()
			if got := calls.Load(); got != 1 {
				t.Fatalf("a purge started after Close: got %d calls, want 1", got)
			}
		})
	}
}

// TestNew checks the constants New gives a store's purger, written out
// here, not read from Every and Batch, so that a slip of either (a purge a
// second after the last, or batches of 100) fails: the first purge starts
// a minute after the store opened, not a nanosecond sooner, and deletes at
// most 1,000 keys a batch.
func TestNew(t *testing.T) {
	var calls atomic.Int64
	p := New(opened, func(ctx context.Context, limit int) (int64, error) {
		calls.Add(1)
		if limit != 1000 {
			t.Errorf("limit: got %d, want 1000", limit)
		}
		return 0, nil
	})
	defer p.Close()
	for _, c := range []struct {
		now  time.Time
		want int64
		when string
	}{
		{opened.Add(time.Second), 0, "a second after the store opened"},
		{opened.Add(59 * time.Second), 0, "59 seconds after the store opened"},
		{opened.Add(time.Minute - time.Nanosecond), 0, "a nanosecond less than a minute after the store opened"},
		{opened.Add(time.Minute), 1, "a minute after the store opened"},
		{opened.Add(time.Minute + 59*time.Second), 1, "59 seconds after the first purge"},
		{opened.Add(2 * time.Minute), 2, "a minute after the first purge"},
	} {
		p.Maybe(c.now)
		p.Wait()
		if got := calls.Load(); got != c.want {
			t.Fatalf("%s: got %d calls, want %d", c.when, got, c.want)
		}
	}
}

// TestOneStartPerMinute checks that of callers of Maybe that find a purge
// due at the same time, one alone counts as its start: the one that moves
// the last start from what it read. Another that read the same last start
// returns; were it to move it again, each would start a purge of its own
// whenever the first had ended before it got on (a purge that deletes
// nothing ends in microseconds). Which of them goes on depends on the
// scheduler, so what the test sees is p.last after each call: with a purge
// running throughout, no call starts one, and a round's first start must
// be the one every caller of the round finds after its call, the times of
// the others a nanosecond apart from it. The callers run in parallel (one
// per P, spinning between rounds so that they set off together) for a
// second of rounds: a caller reading the last start just before another
// moves it is rare (under 1 round in 100 here), a round is some
// microseconds.
func TestOneStartPerMinute(t *testing.T) {
	callers := runtime.GOMAXPROCS(0)
	if callers < 2 {
		t.Skip("GOMAXPROCS 1: no callers run in parallel")
	}
	release := make(chan struct{})
	p, calls := gatedPurger(release)
	defer p.Close()
	defer close(release)
	p.Maybe(opened.Add(Every)) // runs until the test ends
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}

	// Caller i's time in round r: two minutes after the last round's, and
	// less than a minute from the round's others.
	at := func(r int64, i int) time.Time {
		return opened.Add(time.Duration(2*r)*Every + time.Duration(i))
	}
	var round, done atomic.Int64   // round -1 stops the callers
	seen := make([]int64, callers) // p.last as caller i found it after its call
	var wg sync.WaitGroup
	for i := 1; i < callers; i++ {
		wg.Go(func() {
			for r := int64(1); ; r++ {
				n := round.Load()
				for n != r && n >= 0 {
					n = round.Load()
				}
				if n < 0 {
					return
				}
				p.Maybe(at(r, i))
				seen[i] = p.last.Load()
				done.Add(1)
			}
		})
	}
	defer wg.Wait()
	defer round.Store(-1)

	deadline := time.Now().Add(time.Second)
	for r := int64(1); r <= 100_000 && time.Now().Before(deadline); r++ {
		round.Store(r) // caller 0 is this goroutine
		p.Maybe(at(r, 0))
		seen[0] = p.last.Load()
		for done.Load() < r*int64(callers-1) {
		}
		last := p.last.Load()
		if last < at(r, 0).UnixNano() || last >= at(r, callers).UnixNano() {
			t.Fatalf("round %d: the last start is %v, no caller's time", r, time.Unix(0, last).UTC())
		}
		for i, s := range seen {
			if s != last {
				t.Fatalf("round %d: caller %d found the last start at caller %d's time after its call, and it is caller %d's after all: two callers that read the same last start both moved it",
					r, i, s-at(r, 0).UnixNano(), last-at(r, 0).UnixNano())
			}
		}
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("got %d purges, want the 1 running throughout", got)
	}
}

// TestMaybeBesideClose runs Maybe and Close at once, as a visit's purge
// may start while its store closes: Maybe's look at closed and its start
// of a purge are under the lock Close takes, so that either the purge
// starts before Close, which waits for it, or not at all. What this
// guards is seen under -race, which reports Maybe's read of closed beside
// Close's write when the lock is not taken; without it, the test checks
// only that no purge runs on after Close returns.
func TestMaybeBesideClose(t *testing.T) {
	for range 50 {
		var calls, afterClose atomic.Int64
		var closed atomic.Bool
		p := newPurger(opened, func(ctx context.Context, limit int) (int64, error) {
			calls.Add(1)
			if closed.Load() {
				afterClose.Add(1)
			}
			return 0, nil
		}, 4)
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			p.Maybe(opened.Add(Every))
		})
		wg.Go(func() {
			<-start
			p.Close()
			closed.Store(true)
		})
		close(start)
		wg.Wait()
		p.Wait()
		if calls.Load() > 1 || afterClose.Load() != 0 {
			t.Fatalf("got %d purges, %d of them after Close returned; want at most 1, none after", calls.Load(), afterClose.Load())
		}
	}
}
