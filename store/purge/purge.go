// Package purge deletes a store's expired idempotency keys. A key is
// honoured for game.IdempotencyKeyTTL and the stores ignore an older one, so
// deleting it only returns its space; that is why the purge may run late,
// fail, or stop half done without any client seeing it, and why it is
// shaped to cost the requests as little as it can:
//
//   - in the background, started by a keyed visit once it is recorded: no
//     request waits for it, and its failure is not the visit's (it is
//     counted, for the metrics, and the keys wait for the next purge);
//   - in batches of at most Batch keys, each a statement of its own on
//     PostgreSQL and a write of its own in SQLite's group commit: a backlog
//     (say a busy hour's keys, a day later) never holds PostgreSQL's row
//     locks, or SQLite's one writer, for longer than one batch takes. (A
//     write in SQLite shares its commit with the writes batched beside it:
//     a deletion failing so badly that it ends the transaction, as a full
//     disk does, fails them too, as any write's would.)
//   - at most once a minute, and one at a time: a keyed visit at least a
//     minute after the last start begins the next (or at least a minute
//     before it: the wall clock was set back, see Maybe).
package purge

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ninjagold/ninjagold-api/game"
)

// Every is the least time between the starts of two purges.
const Every = time.Minute

// Batch is how many keys one deletion removes at most.
const Batch = 1000

// batchTimeout bounds one batch: a PostgreSQL deletion stuck behind a lock
// is given up, and the keys are left for the next purge. (On SQLite it
// bounds only the wait to be taken by the writer: a write taken is always
// run to its end.)
const batchTimeout = 30 * time.Second

// Delete deletes at most limit expired keys, within ctx, and says how many
// it deleted. A store gives its own.
type Delete func(ctx context.Context, limit int) (int64, error)

// Purger runs one store's purges.
type Purger struct {
	del   Delete
	batch int

	last    atomic.Int64 // Unix nanoseconds of the last start
	running atomic.Bool

	deletions, failed, purged atomic.Int64 // for Stats

	ctx  context.Context // ended by Close
	stop context.CancelFunc

	mu     sync.Mutex // guards closed and the start of a purge against Close
	closed bool
	wg     sync.WaitGroup
}

// New returns a Purger whose first purge may start a minute after opened,
// the time its store opened: a store opened for a short task (a test, a
// migration) never purges.
func New(opened time.Time, del Delete) *Purger {
	return newPurger(opened, del, Batch)
}

func newPurger(opened time.Time, del Delete, batch int) *Purger {
	ctx, stop := context.WithCancel(context.Background())
	p := &Purger{del: del, batch: batch, ctx: ctx, stop: stop}
	p.last.Store(opened.UnixNano())
	return p
}

// Maybe starts a purge in the background, unless one is running, one
// started less than Every before now, or p is closed. A start refused for
// a running purge counts as a start: the next comes a minute after it. A
// last start a minute or more later than now (the wall clock was set back)
// does not hold purges back until the clock passes it again: the purge
// starts, and the next comes a minute after now. (A last start less than a
// minute later is a visit's that read the clock after this one did and got
// here first.) In the common case, less than a minute since the last, it
// costs a visit one atomic load.
func (p *Purger) Maybe(now time.Time) {
	last := p.last.Load()
	if since := now.UnixNano() - last; since > -int64(Every) && since < int64(Every) {
		return
	}
	if !p.last.CompareAndSwap(last, now.UnixNano()) {
		return // another visit's call starts it
	}
	if !p.running.CompareAndSwap(false, true) {
		return // the last purge is still deleting: it goes on
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.running.Store(false)
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer p.running.Store(false)
		p.run()
	}()
}

// run deletes batches until one comes back short (there are no more
// expired keys), one fails, or p is closed.
func (p *Purger) run() {
	for p.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(p.ctx, batchTimeout)
		n, err := p.del(ctx, p.batch)
		cancel()
		p.deletions.Add(1)
		if err != nil { // rolled back, whatever n says
			if p.ctx.Err() == nil { // and not because Close stopped it
				p.failed.Add(1)
			}
			return
		}
		p.purged.Add(n)
		if n < int64(p.batch) {
			return
		}
	}
}

// Stats counts what p's purges did.
func (p *Purger) Stats() game.PurgeStats {
	return game.PurgeStats{Deletions: p.deletions.Load(), Failed: p.failed.Load(), Purged: p.purged.Load()}
}

// Wait waits until no purge is running.
func (p *Purger) Wait() { p.wg.Wait() }

// Close stops a running purge, at its batch's end or sooner (its context
// ends), and waits for it; it starts no more. A store calls it before it
// closes what the purge deletes through.
func (p *Purger) Close() {
	p.mu.Lock()
	p.closed = true
	p.stop()
	p.mu.Unlock()
	p.wg.Wait()
}
