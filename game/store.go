package game

import (
	"context"
	"time"
)

// Store persists the game. Every implementation must pass the shared suite in
// store/storetest, so callers can rely on the behaviour documented here
// whichever database is behind it. Errors are *Error values with the codes
// named below; anything else is EINTERNAL. A database that cannot be reached
// yields EUNAVAILABLE. A ctx already ended when a call starts, or ending
// while it waits, yields ctx.Err() unchanged. A write already under way
// when ctx ends reports how it ended where the store knows (SQLite's
// writer answers every write it has queued with its outcome). Where it
// does not (PostgreSQL, whose COMMIT may have gone through), a ctx
// cancelled yields ctx.Err() (a client told the request was cancelled
// must read again), and a ctx whose deadline passed once the COMMIT was
// sent yields EUNAVAILABLE saying the write may have been applied.
//
// Callbacks (UpdateLocation's update, DeleteLocation's check,
// VisitRequest.Roll) run inside the store's transaction and may run more
// than once when the store retries a transaction (PostgreSQL after a
// serialization failure, a deadlock or a lost connection, for example), so
// they must not have side effects.
type Store interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database. Calls already running finish first
	// (but for a SQLite write still waiting for the writer, which fails
	// with EUNAVAILABLE); calls made after Close fail.
	Close() error

	// ListLocations returns at most limit locations with id > afterID, by id.
	ListLocations(ctx context.Context, afterID int64, limit int) ([]Location, error)
	// GetLocation returns ENOTFOUND if no location has id.
	GetLocation(ctx context.Context, id int64) (Location, error)
	// CreateLocation stores a new location at version 1. Locations commit
	// in the order of their ids, so that a client paging ListLocations
	// past one never misses another committed after it. A name another
	// location has (names compare byte for byte) is LocationNameTaken, and
	// nothing is stored; of two creates of one name at once, one is.
	CreateLocation(ctx context.Context, f LocationFields) (Location, error)
	// UpdateLocation calls update with the current location inside one
	// transaction and stores what it leaves, at the next version; when
	// update changes no field, nothing is written and the location comes
	// back as it was (same version, same updated_at), so that a repeated
	// PUT or an empty patch does not make the clients' ETags stale. It
	// returns ENOTFOUND if no location has id, update's error unchanged, or
	// LocationNameTaken if update gave it another location's name (nothing
	// is written then).
	UpdateLocation(ctx context.Context, id int64, update func(*Location) error) (Location, error)
	// DeleteLocation calls check with the current location inside one
	// transaction and deletes it if check returns nil. It returns ENOTFOUND
	// if no location has id, or check's error unchanged. Visits keep the
	// name and amount they recorded.
	DeleteLocation(ctx context.Context, id int64, check func(Location) error) error

	// CreatePlayer stores a new player with no gold.
	CreatePlayer(ctx context.Context, p NewPlayer) (Player, error)
	// GetPlayer returns ENOTFOUND if no player has id.
	GetPlayer(ctx context.Context, id int64) (Player, error)
	// PlayerIDByTokenHash returns the id of the player whose token hashes to
	// hash, or EUNAUTHORIZED if there is none.
	PlayerIDByTokenHash(ctx context.Context, hash []byte) (int64, error)
	// ListPlayers returns one page of players in the page's order.
	ListPlayers(ctx context.Context, page PlayerPage) ([]Player, error)
	// ReplaceToken gives player id the token that hashes to hash, and
	// returns the player. With old set, only while old is still the
	// player's token: ErrUnknownToken when it is not (another replacement
	// came first), and nothing changes. ENOTFOUND when no player has id.
	ReplaceToken(ctx context.Context, id int64, old, hash []byte) (Player, error)
	// DeletePlayer deletes a player with their visits and idempotency keys.
	// With token set (a token's hash, as ReplaceToken's old), only while
	// it is still the hash of the player's token: ErrUnknownToken when it
	// is not (a replacement came first), and nothing changes. ENOTFOUND if
	// no player has id.
	DeletePlayer(ctx context.Context, id int64, token []byte) error

	// CreateVisit records a visit and moves its gold in one transaction. It
	// returns ENOTFOUND if the player does not exist, EINVALID (keyed
	// location_id) if the location does not exist, and EKEYREUSED if the
	// idempotency key was used with another request hash. When the key was
	// used with the same hash it returns the visit recorded then and
	// replayed = true, changing nothing. With a TokenHash it first checks,
	// in the same transaction, that the token is the player's (see
	// VisitRequest.TokenHash), and it returns VisitRequest.Refuse last.
	// The check holds until the visit commits: a ReplaceToken or
	// DeletePlayer acknowledged while the visit is under way either waits
	// for it or makes it fail with ErrUnknownToken, so no visit is recorded
	// with a token whose replacement its holder has already been told of.
	CreateVisit(ctx context.Context, req VisitRequest) (v Visit, replayed bool, err error)
	// GetVisit returns ENOTFOUND if the player has no visit with visitID.
	GetVisit(ctx context.Context, playerID, visitID int64) (Visit, error)
	// ListVisits returns at most limit of the player's visits with
	// id < beforeID (0: from the newest), newest first. It returns ENOTFOUND
	// if the player does not exist.
	ListVisits(ctx context.Context, playerID, beforeID int64, limit int) ([]Visit, error)
}

// PlayerSort is an order of the player list.
type PlayerSort string

const (
	ByGoldDesc      PlayerSort = "-gold"
	ByGoldAsc       PlayerSort = "gold"
	ByCreatedAtDesc PlayerSort = "-created_at"
	ByCreatedAtAsc  PlayerSort = "created_at"
)

// ByGold reports whether s orders by gold, either way; a page's position
// then holds the gold of its last player beside the id.
func (s PlayerSort) ByGold() bool { return s == ByGoldDesc || s == ByGoldAsc }

// PlayerPage asks for one page of players. After, when set, is the last
// player of the previous page; ties in gold are broken by id ascending.
// Each store creates players in id order, committing them in that order
// too, so created_at sorts by id, and a page never misses a player created
// earlier.
type PlayerPage struct {
	Sort  PlayerSort
	After *PlayerKey
	Limit int
}

// PlayerKey is a position in a player list.
type PlayerKey struct {
	Gold int64
	ID   int64
}

// VisitRequest asks for one visit.
type VisitRequest struct {
	PlayerID   int64
	LocationID int64
	// TokenHash, when set, is the hash of the bearer token the visit was
	// asked with, and the visit is made only if it is the player's own
	// token. Otherwise CreateVisit fails, before any other check, with
	// ErrUnknownToken when no player has the token, ENOTFOUND when the
	// player does not exist, and ErrForeignToken when the token is another
	// player's. Checking it in the visit's own transaction spares a visit a
	// separate read, a tenth of a visit's cost (docs/benchmarks-history.md);
	// impl still reads first for a token it has not seen succeed, so that a
	// refusal does not wait for the writer.
	TokenHash []byte
	// IdempotencyKey is empty when the client sent none.
	IdempotencyKey string
	// RequestHash identifies the request the key was sent with.
	RequestHash []byte
	// Roll decides the outcome once the location is known; it runs inside
	// the transaction, and may run for a visit that the TokenHash check
	// then refuses (its outcome is dropped).
	Roll func(Location) Outcome
	// Refuse, when set, is returned unchanged in place of the visit once
	// the visit is otherwise known to go through (token, player, location
	// and idempotency key checked, a replay too), and nothing is written:
	// a false precondition (If-Match, If-None-Match), which this service
	// answers only for a request that would otherwise succeed.
	Refuse error
}

// IdempotencyKeyTTL is how long a key is kept from the visit it recorded.
// A store honours it for that long and then forgets it, whether or not its
// row has been deleted yet (see package purge).
const IdempotencyKeyTTL = 24 * time.Hour

// PoolStats are one connection pool's figures, for metrics.
type PoolStats struct {
	Pool    string // which pool: "write", "read", "main"
	Max     int
	Open    int
	InUse   int
	Idle    int
	Waits   int64
	WaitFor time.Duration
}

// WriteStats count a store's write transactions and the commits that
// carried them, where one commit can carry many (SQLite's group commit).
type WriteStats struct {
	Writes, Commits int64
}

// WriteReporter is implemented by stores that batch writes into commits.
type WriteReporter interface {
	WriteStats() WriteStats
}

// PurgeStats count what a store's purges of expired idempotency keys did:
// the deletions they ran (each of a batch of keys), those that failed
// (their keys wait for the next purge), and the keys deleted.
type PurgeStats struct {
	Deletions, Failed, Purged int64
}

// PurgeReporter is implemented by stores that purge expired keys.
type PurgeReporter interface {
	PurgeStats() PurgeStats
}

// PoolReporter is implemented by stores that can report their pools.
type PoolReporter interface {
	PoolStats() []PoolStats
}
