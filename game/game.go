// Package game is the centre of Ninja Gold: the things the game is made of
// (locations, players, visits), the rule that turns a visit into gold, the
// errors every layer speaks, and the Store that persists it all.
//
// It knows no routing, no status codes and no SQL: the api package maps its
// error codes to problem responses in one table, and the store packages
// implement Store. It does speak the contract's vocabulary where a rule
// needs it (a Version is the ETag, an Error may name the Idempotency-Key
// or If-Match it is about), so that mapping stays one table. PoolStats and
// WriteStats are the stores' figures for /metrics.
package game

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Location is a place a player can visit, paying between MinGold and MaxGold
// (inclusive) per visit.
type Location struct {
	ID          int64
	Name        string
	MinGold     int32
	MaxGold     int32
	Description string
	// Version counts the writes to the location; it is the ETag.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// LocationFields are a location's writable fields.
type LocationFields struct {
	Name        string
	MinGold     int32
	MaxGold     int32
	Description string
}

// Fields returns l's writable fields.
func (l Location) Fields() LocationFields {
	return LocationFields{Name: l.Name, MinGold: l.MinGold, MaxGold: l.MaxGold, Description: l.Description}
}

// SetFields sets l's writable fields to f.
func (l *Location) SetFields(f LocationFields) {
	l.Name, l.MinGold, l.MaxGold, l.Description = f.Name, f.MinGold, f.MaxGold, f.Description
}

// Apply runs update on a copy of l, keeps the writable fields it leaves,
// and reports whether it changed one. A store writes a new version only
// then, so that an update that changes nothing (a PUT of what is there)
// leaves the ETag as it was. What update does to the other fields (id,
// version, timestamps) is not kept, nor anything when it fails: the store
// sets those, so that l, when nothing changed, is the stored location.
func (l *Location) Apply(update func(*Location) error) (changed bool, err error) {
	next := *l
	if err := update(&next); err != nil {
		return false, err
	}
	before := l.Fields()
	l.SetFields(next.Fields())
	return l.Fields() != before, nil
}

// Validate reports the rules the schema cannot express. The message is keyed
// like a schema error so clients handle both the same way.
func (f LocationFields) Validate() error {
	if f.MinGold > f.MaxGold {
		return Invalid(map[string]string{
			"min_gold": "min gold must be less than or equal to max gold",
		})
	}
	return nil
}

// ValidateNewMin is Validate for a change to min_gold alone: the error is
// keyed by min_gold, the member the client sent, and names the stored
// max_gold, which the client did not send.
func (f LocationFields) ValidateNewMin() error {
	if f.MinGold <= f.MaxGold {
		return nil
	}
	return Invalid(map[string]string{
		"min_gold": fmt.Sprintf("min gold must be at most %d, the max gold", f.MaxGold),
	})
}

// ValidateNewMax is ValidateNewMin for a change to max_gold alone.
func (f LocationFields) ValidateNewMax() error {
	if f.MinGold <= f.MaxGold {
		return nil
	}
	return Invalid(map[string]string{
		"max_gold": fmt.Sprintf("max gold must be at least %d, the min gold", f.MinGold),
	})
}

// Player is a ninja and their gold. Gold may be negative.
type Player struct {
	ID        int64
	FirstName string
	LastName  string
	Gold      int64
	CreatedAt time.Time
}

// NewPlayer is a player to create. TokenHash is the hash of the player's
// bearer token; the token itself is never stored.
type NewPlayer struct {
	FirstName string
	LastName  string
	TokenHash []byte
}

// Visit is one entry of a player's activity log. LocationName and Gold are
// copied at the time of the visit so editing or deleting the location never
// rewrites history.
type Visit struct {
	ID           int64
	PlayerID     int64
	LocationID   int64
	LocationName string
	Gold         int32
	// Balance is the player's gold right after this visit.
	Balance   int64
	Message   string
	CreatedAt time.Time
}

// Outcome is what a visit to a location yields.
type Outcome struct {
	Gold    int32
	Message string
}

// Dice is a source of randomness: Int64N returns a uniform value in [0, n).
// It must be safe for concurrent use.
type Dice interface {
	Int64N(n int64) int64
}

// SystemDice draws from math/rand/v2's global generator, which the runtime
// seeds from the operating system's entropy and is safe for concurrent use.
type SystemDice struct{}

func (SystemDice) Int64N(n int64) int64 { return rand.Int64N(n) }

// Roll draws the outcome of visiting loc: an amount uniform in
// [MinGold, MaxGold], inclusive, and the classic game's message for it.
func Roll(d Dice, loc Location) Outcome {
	span := int64(loc.MaxGold) - int64(loc.MinGold) + 1
	gold := int32(int64(loc.MinGold) + d.Int64N(span))
	return Outcome{Gold: gold, Message: Message(loc.Name, gold)}
}

// Message words a visit the way the classic game does.
func Message(location string, gold int32) string {
	switch {
	case gold > 0:
		return fmt.Sprintf("Earned %d gold from the %s!", gold, location)
	case gold < 0:
		return fmt.Sprintf("Entered the %s and lost %d gold... Ouch!", location, -int64(gold))
	default:
		return fmt.Sprintf("Entered the %s and came out with nothing... Not a single coin.", location)
	}
}
