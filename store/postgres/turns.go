package postgres

import (
	"context"
	"sync"
)

// playerTurns lets the writes of one player that lock its row (visits,
// token replacements, deletions) into the pool one at a time, first come
// first served. Without it a burst of visits to one player would take a
// connection each and wait on the row lock, all but one of them idle: with
// pool-size of them queued, every other request, of every other player,
// and /readyz's probe with them, would wait for a connection until the burst
// had drained. A player's writes apply one at a time anyway (the row lock);
// this keeps the waiting in the process, where it costs a goroutine. Other
// processes' writes still take the row lock in turn with this one's.
type playerTurns struct {
	mu    sync.Mutex
	turns map[int64]*turn
}

// turn is one player's: the write whose turn it is holds the token, and
// the others wait to send theirs (a channel's senders are served in the
// order they came). waiting counts both; the turn goes when it is 0.
type turn struct {
	token   chan struct{}
	waiting int
}

// wait waits for player id's turn, or for ctx to end, and returns what
// ends the turn.
func (p *playerTurns) wait(ctx context.Context, id int64) (done func(), err error) {
	p.mu.Lock()
	if p.turns == nil {
		p.turns = make(map[int64]*turn)
	}
	t := p.turns[id]
	if t == nil {
		t = &turn{token: make(chan struct{}, 1)}
		p.turns[id] = t
	}
	t.waiting++
	p.mu.Unlock()

	select {
	case t.token <- struct{}{}:
		return func() {
			<-t.token
			p.leave(id, t)
		}, nil
	case <-ctx.Done():
		p.leave(id, t)
		return nil, ctx.Err()
	}
}

func (p *playerTurns) leave(id int64, t *turn) {
	p.mu.Lock()
	if t.waiting--; t.waiting == 0 {
		delete(p.turns, id)
	}
	p.mu.Unlock()
}

// count is how many writes of player id hold or wait for its turn.
func (p *playerTurns) count(id int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.turns[id]; t != nil {
		return t.waiting
	}
	return 0
}
