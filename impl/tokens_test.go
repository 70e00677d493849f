package impl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

func TestTokenOwners(t *testing.T) {
	var o tokenOwners
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))
	if o.owns(a[:], 1) {
		t.Fatal("owns before remember: got true")
	}
	o.remember(a[:], 1)
	if !o.owns(a[:], 1) || o.owns(a[:], 2) || o.owns(b[:], 1) {
		t.Errorf("after remember(a, 1): owns(a, 1), owns(a, 2), owns(b, 1) = %v, %v, %v; want true, false, false",
			o.owns(a[:], 1), o.owns(a[:], 2), o.owns(b[:], 1))
	}
	o.forget(a[:])
	if o.owns(a[:], 1) {
		t.Error("owns after forget: got true")
	}
	for i := range maxTokenOwners + 1 {
		h := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		o.remember(h[:], int64(i))
	}
	if n := len(o.m); n > maxTokenOwners {
		t.Errorf("after %d tokens: %d remembered, want at most %d", maxTokenOwners+1, n, maxTokenOwners)
	}
}

// readCounter is the real SQLite store, counting the token reads
// authorizePlayer makes.
type readCounter struct {
	*sqlite.Store
	reads atomic.Int64
}

func (c *readCounter) PlayerIDByTokenHash(ctx context.Context, hash []byte) (int64, error) {
	c.reads.Add(1)
	return c.Store.PlayerIDByTokenHash(ctx, hash)
}

// TestCreateVisitAuthorization checks what tokenOwners is for: a visit with
// a token known to be the player's skips the read, and a visit that is
// refused never reaches the store's writer, even when the hint was stale.
func TestCreateVisitAuthorization(t *testing.T) {
	db := openSQLite(t)
	store := &readCounter{Store: db}
	s := newServer(t, store)
	as := func(token string) context.Context {
		return WithRequestInfo(t.Context(), RequestInfo{Credentials: Credentials{Token: token}})
	}
	newPlayer := func(first string) (int64, string) {
		t.Helper()
		resp, err := s.CreatePlayer(t.Context(), generated.CreatePlayerRequestObject{Body: &generated.NewPlayer{FirstName: first, LastName: "Ninja"}})
		if err != nil {
			t.Fatalf("CreatePlayer: %v", err)
		}
		p := resp.(generated.FastCreatePlayer201JSONResponse).Body
		return p.Id, p.Token
	}
	visit := func(id int64, token string) error {
		_, err := s.CreateVisit(as(token), generated.CreateVisitRequestObject{Id: id, Body: &generated.NewVisit{LocationId: 1}})
		return err
	}
	writes := func() int64 { return db.WriteStats().Writes }
	a, tokenA := newPlayer("A")
	b, tokenB := newPlayer("B")

	for i := range 3 {
		if err := visit(a, tokenA); err != nil {
			t.Fatalf("visit %d with A's token: %v", i, err)
		}
	}
	if got := store.reads.Load(); got != 1 {
		t.Errorf("three visits with A's token read the token %d times, want 1", got)
	}

	for _, c := range []struct {
		name   string
		player int64
		token  string
		want   game.Code
	}{
		{"unknown token", a, "ngp_forged", game.EUNAUTHORIZED},
		{"another player's token", a, tokenB, game.EFORBIDDEN},
		{"A's token for B", b, tokenA, game.EFORBIDDEN},
		{"another player's token for an unknown player", 1 << 40, tokenB, game.ENOTFOUND},
		{"no token", a, "", game.EUNAUTHORIZED},
	} {
		before := writes()
		if err := visit(c.player, c.token); game.ErrorCode(err) != c.want {
			t.Errorf("%s: got %v, want code %q", c.name, err, c.want)
		}
		if got := writes() - before; got != 0 {
			t.Errorf("%s: the refusal ran %d write transactions, want 0", c.name, got)
		}
	}

	// A's hint goes stale when A is deleted: the store refuses the visit
	// as authorizePlayer would have, and the next one is read again.
	if _, err := s.DeletePlayer(as(tokenA), generated.DeletePlayerRequestObject{Id: a}); err != nil {
		t.Fatalf("DeletePlayer: %v", err)
	}
	for i := range 2 {
		if err := visit(a, tokenA); game.ErrorCode(err) != game.EUNAUTHORIZED {
			t.Errorf("visit %d with the deleted A's token: got %v, want code %q", i, err, game.EUNAUTHORIZED)
		}
	}
	// The first visits, the four refusals with a token, DeletePlayer's
	// check and the visit after the stale hint read the token.
	if got := store.reads.Load(); got != 1+4+1+1 {
		t.Errorf("token reads: got %d, want 7", got)
	}

	// B's hint goes when B replaces its own token: a visit with the old
	// one is refused before it reaches the writer, and the new one visits.
	if err := visit(b, tokenB); err != nil {
		t.Fatalf("visit with B's token: %v", err)
	}
	resp, err := s.ReplacePlayerToken(as(tokenB), generated.ReplacePlayerTokenRequestObject{Id: b})
	if err != nil {
		t.Fatalf("ReplacePlayerToken: %v", err)
	}
	newTokenB := resp.(generated.FastReplacePlayerToken200JSONResponse).Body.Token
	before := writes()
	if err := visit(b, tokenB); game.ErrorCode(err) != game.EUNAUTHORIZED {
		t.Errorf("visit with B's replaced token: got %v, want code %q", err, game.EUNAUTHORIZED)
	}
	if got := writes() - before; got != 0 {
		t.Errorf("the visit with B's replaced token ran %d write transactions, want 0", got)
	}
	if err := visit(b, newTokenB); err != nil {
		t.Errorf("visit with B's new token: %v", err)
	}
}

// TestTokenHash: the hash the HTTP layer worked out is used as it is, and
// a missing one is computed from the token.
func TestTokenHash(t *testing.T) {
	token := "ngp_token"
	other := sha256.Sum256([]byte("another token"))
	for _, c := range []struct {
		name string
		cred Credentials
		want []byte
	}{
		{"worked out by the HTTP layer", Credentials{Token: token, TokenHash: other}, other[:]},
		// SHA-256 of the token, as databases store it (printf ngp_token |
		// sha256sum): a different digest would orphan every stored token.
		{"not worked out", Credentials{Token: token}, mustHex(t, "016122d6f7e8f0ab8201024bbbef84efba97535ec55b4ca3c0293f8947bca5f5")},
	} {
		if got := c.cred.tokenHash(); !bytes.Equal(got, c.want) {
			t.Errorf("%s: tokenHash() = %x, want %x", c.name, got, c.want)
		}
	}
}

// tokenReplacedAfterRead is the real SQLite store with a replacement of the
// player's token slipped in right after each token read: a replacement that
// lands between authorizePlayer and the delete's own transaction.
type tokenReplacedAfterRead struct {
	*sqlite.Store
	newHash []byte
}

func (r *tokenReplacedAfterRead) PlayerIDByTokenHash(ctx context.Context, hash []byte) (int64, error) {
	id, err := r.Store.PlayerIDByTokenHash(ctx, hash)
	if err != nil {
		return 0, err
	}
	if _, err := r.Store.ReplaceToken(ctx, id, hash, r.newHash); err != nil {
		return 0, err
	}
	return id, nil
}

// TestDeletePlayerRechecksTheToken: the delete checks the player's own token
// again in its transaction, so a token retired after authorizePlayer read it
// deletes nothing.
func TestDeletePlayerRechecksTheToken(t *testing.T) {
	db := openSQLite(t)
	s := newServer(t, &tokenReplacedAfterRead{Store: db, newHash: HashToken("ngp_replacement")})
	resp, err := s.CreatePlayer(t.Context(), generated.CreatePlayerRequestObject{Body: &generated.NewPlayer{FirstName: "Hattori", LastName: "Hanzo"}})
	if err != nil {
		t.Fatalf("CreatePlayer: %v", err)
	}
	p := resp.(generated.FastCreatePlayer201JSONResponse).Body
	ctx := WithRequestInfo(t.Context(), RequestInfo{Credentials: Credentials{Token: p.Token}})
	if _, err := s.DeletePlayer(ctx, generated.DeletePlayerRequestObject{Id: p.Id}); game.ErrorCode(err) != game.EUNAUTHORIZED {
		t.Errorf("DeletePlayer with a token replaced after it was read: got %v, want code %q", err, game.EUNAUTHORIZED)
	}
	if _, err := db.GetPlayer(t.Context(), p.Id); err != nil {
		t.Errorf("the player is gone after a refused delete: GetPlayer: %v", err)
	}
}

// proofs records the tokens the handlers found their players'.
type proofs struct{ hashes [][sha256.Size]byte }

func (p *proofs) TokenVerified(hash [sha256.Size]byte) { p.hashes = append(p.hashes, hash) }

// Each request a player's token gets through tells the credentials'
// Verifier (the rate limiter) so, the visits that a known owner lets skip
// authorizePlayer too; a refused token tells it nothing.
func TestTokensProvenToTheVerifier(t *testing.T) {
	db := openSQLite(t)
	s := newServer(t, db)
	heard := &proofs{}
	as := func(token string) context.Context {
		var hash [sha256.Size]byte
		copy(hash[:], HashToken(token))
		return WithRequestInfo(t.Context(), RequestInfo{Credentials: Credentials{Token: token, TokenHash: hash, Verifier: heard}})
	}
	resp, err := s.CreatePlayer(t.Context(), generated.CreatePlayerRequestObject{Body: &generated.NewPlayer{FirstName: "A", LastName: "Ninja"}})
	if err != nil {
		t.Fatal(err)
	}
	a := resp.(generated.FastCreatePlayer201JSONResponse).Body
	var want [sha256.Size]byte
	copy(want[:], HashToken(a.Token))

	for i := range 3 {
		before := len(heard.hashes)
		if _, err := s.CreateVisit(as(a.Token), generated.CreateVisitRequestObject{Id: a.Id, Body: &generated.NewVisit{LocationId: 1}}); err != nil {
			t.Fatalf("visit %d: %v", i+1, err)
		}
		if len(heard.hashes) == before {
			t.Errorf("visit %d told the verifier nothing", i+1)
		}
	}
	for _, h := range heard.hashes {
		if h != want {
			t.Errorf("the verifier heard %x, want A's token's hash %x", h, want)
		}
	}

	before := len(heard.hashes)
	for _, token := range []string{"ngp_forged", a.Token + "x"} {
		if _, err := s.CreateVisit(as(token), generated.CreateVisitRequestObject{Id: a.Id, Body: &generated.NewVisit{LocationId: 1}}); err == nil {
			t.Fatalf("a visit with token %q: accepted", token)
		}
		if _, err := s.ReplacePlayerToken(as(token), generated.ReplacePlayerTokenRequestObject{Id: a.Id}); err == nil {
			t.Fatalf("a token replacement with token %q: accepted", token)
		}
	}
	if got := len(heard.hashes) - before; got != 0 {
		t.Errorf("refused tokens told the verifier %d times, want none", got)
	}
	if _, err := s.ReplacePlayerToken(as(a.Token), generated.ReplacePlayerTokenRequestObject{Id: a.Id}); err != nil {
		t.Fatal(err)
	}
	if got := len(heard.hashes) - before; got == 0 {
		t.Error("a token replacement with the player's token told the verifier nothing")
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
