package impl

import (
	"crypto/sha256"
	"sync"
)

// tokenOwners remembers, for the tokens that recently proved to be their
// player's, which player that was. A visit with such a token skips the read
// authorizePlayer makes and leaves the check to the visit's own write
// transaction (game.VisitRequest.TokenHash), which is what decides: an entry
// is only a hint. Any other token (unknown, another player's, or not seen
// yet) takes authorizePlayer's read first, so a visit that is refused never
// queues for the store's writer. An entry goes stale when its player is
// deleted or its token replaced (ReplacePlayerToken forgets the entry when
// the player's own token asked, not when the admin's did); the store then
// refuses the visit as authorizePlayer would have, and CreateVisit forgets
// the entry.
type tokenOwners struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]int64
}

// maxTokenOwners bounds the memory the hints take (about 1 MB); when it is
// reached they are all dropped, and the tokens in use come back one read
// each.
const maxTokenOwners = 1 << 14

// owns reports whether hash last proved to be player id's token.
func (o *tokenOwners) owns(hash []byte, id int64) bool {
	o.mu.RLock()
	owner, ok := o.m[[sha256.Size]byte(hash)]
	o.mu.RUnlock()
	return ok && owner == id
}

// remember records that hash proved to be player id's token.
func (o *tokenOwners) remember(hash []byte, id int64) {
	o.mu.Lock()
	if o.m == nil || len(o.m) >= maxTokenOwners {
		o.m = make(map[[sha256.Size]byte]int64)
	}
	o.m[[sha256.Size]byte(hash)] = id
	o.mu.Unlock()
}

// forget drops what hash was remembered as.
func (o *tokenOwners) forget(hash []byte) {
	o.mu.Lock()
	delete(o.m, [sha256.Size]byte(hash))
	o.mu.Unlock()
}
