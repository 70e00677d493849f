// Package compare is the measurement rig of the issue "full contract
// enforcement at almost no cost": the same operations served by four
// engines, in seven variants, over the same real SQLite store, so their cost per request can be
// compared.
//
//	raw                         plain Gin handlers doing the same store calls and
//	                            encoding/json responses, with no validation at all
//	raw-headers                 raw, its responses carrying the headers the project's
//	                            observer puts on every response (request id,
//	                            nosniff, Referrer-Policy, Cache-Control): the
//	                            contract's cost apart from those headers' cost
//	stock                       the generated strict server behind the stock
//	                            oapi-codegen gin-middleware validator (kin-openapi)
//	project                     api.NewHandler as in production (rate limiting off)
//	project-quiet               the same logging at Warn (no access lines)
//	project-validate-responses  the same with Config.ValidateResponses
//	ogen                        an ogen server generated from openapi.yaml
//	                            (bench/ogen), without its OpenTelemetry hooks
//
// The Go benchmarks (compare_test.go) drive each engine in process; the
// load script (load.sh, `make bench-load`) drives cmd/benchserver over
// loopback with wrk. Nothing in the product imports this package.
package compare

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// The variants, in the order reports list them.
const (
	Raw                      = "raw"
	RawHeaders               = "raw-headers"
	Stock                    = "stock"
	Project                  = "project"
	ProjectQuiet             = "project-quiet"
	ProjectValidateResponses = "project-validate-responses"
	Ogen                     = "ogen"
)

// Variants lists every variant.
var Variants = []string{Raw, RawHeaders, Stock, Project, ProjectQuiet, ProjectValidateResponses, Ogen}

// AdminToken is the admin token of every variant.
const AdminToken = "bench-admin-token"

// Env is one seeded SQLite database and the player whose token the visit
// requests carry.
type Env struct {
	Store *sqlite.Store
	// Player is the id of the player the visit requests are for;
	// PlayerToken is that player's bearer token.
	Player      int64
	PlayerToken string
	// Dice rolls the visits of every variant.
	Dice game.Dice
	// logPath is the project variants' log file, next to the database;
	// logs writes it as cmd/ninjagold writes stderr (nil until a project
	// variant is built).
	logPath string
	logFile *os.File
	logs    *api.LogWriter
}

// Options tune NewEnv.
type Options struct {
	// Synchronous is the SQLite synchronous pragma, "NORMAL" or "FULL"
	// (production's default). Empty means NORMAL: with FULL every write
	// waits for an fsync, which would bury the handler cost being measured.
	Synchronous string
	// Shared opens the file as sqlite.Options.Shared does (every process
	// may open it; SQLite's locks then take fcntl(2) calls), to measure
	// what holding the file for one process saves.
	Shared bool
}

// NewEnv opens (creating, migrating and seeding with the four classic
// locations) the SQLite file at path, with every read connection open, and
// creates the visiting player. A read pool that grew during a measurement
// would charge that run, and not another, for the connections it opened:
// under callgrind that was about 2,000 instructions a GET over 10,000.
func NewEnv(ctx context.Context, path string, opts Options) (*Env, error) {
	if opts.Synchronous == "" {
		opts.Synchronous = "NORMAL"
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{Synchronous: opts.Synchronous, Shared: opts.Shared})
	if err != nil {
		return nil, err
	}
	e := &Env{Store: st, Dice: game.SystemDice{}, logPath: path + ".log"}
	if err := st.FillReadPool(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := e.NewVisitor(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return e, nil
}

// TempEnv is NewEnv on a file named ninjagold.db in dir.
func TempEnv(ctx context.Context, dir string, opts Options) (*Env, error) {
	return NewEnv(ctx, filepath.Join(dir, "ninjagold.db"), opts)
}

// Close closes the store and the log.
func (e *Env) Close() error {
	err := e.Store.Close()
	if e.logs != nil {
		err = errors.Join(err, e.logs.Close(), e.logFile.Close())
	}
	return err
}

// Violations returns how many lines at Warn or above the project variants
// have logged: with ValidateResponses, each is a response that broke the
// contract; the other variants log none. It reads the log file, so the
// variants pay nothing for the count while they serve.
func (e *Env) Violations() (int64, error) {
	if e.logs == nil {
		return 0, nil
	}
	if err := e.logs.Flush(); err != nil {
		return 0, err
	}
	f, err := os.Open(e.logPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return countWarnings(f)
}

// countWarnings counts the JSON log lines at Warn or above that r holds.
func countWarnings(r io.Reader) (int64, error) {
	var n int64
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for lines.Scan() {
		var rec struct{ Level string }
		if err := json.Unmarshal(lines.Bytes(), &rec); err != nil {
			return n, fmt.Errorf("log line %q: %w", lines.Bytes(), err)
		}
		if rec.Level == "WARN" || rec.Level == "ERROR" {
			n++
		}
	}
	return n, lines.Err()
}

// NewVisitor deletes the current visiting player (with their visits) if
// there is one and creates a fresh one, so visit benchmarks can keep the
// database small.
func (e *Env) NewVisitor(ctx context.Context) error {
	if e.Player != 0 {
		if err := e.Store.DeletePlayer(ctx, e.Player, nil); err != nil {
			return err
		}
	}
	token := newToken()
	p, err := e.Store.CreatePlayer(ctx, game.NewPlayer{
		FirstName: "Fuma", LastName: "Kotaro", TokenHash: impl.HashToken(token),
	})
	if err != nil {
		return err
	}
	e.Player, e.PlayerToken = p.ID, token
	return nil
}

// DeletePlayersAfter deletes every player with an id above id, so
// POST /players benchmarks can keep the database small.
func (e *Env) DeletePlayersAfter(ctx context.Context, id int64) error {
	for {
		ps, err := e.Store.ListPlayers(ctx, game.PlayerPage{Sort: game.ByCreatedAtDesc, Limit: 1000})
		if err != nil {
			return err
		}
		n := 0
		for _, p := range ps {
			if p.ID > id {
				if err := e.Store.DeletePlayer(ctx, p.ID, nil); err != nil && game.ErrorCode(err) != game.ENOTFOUND {
					return err
				}
				n++
			}
		}
		if n == 0 {
			return nil
		}
	}
}

// Handler builds the named variant's engine over e.
func (e *Env) Handler(variant string) (http.Handler, error) {
	switch variant {
	case Raw:
		return newRaw(e, false), nil
	case RawHeaders:
		return newRaw(e, true), nil
	case Stock:
		return newStock(e)
	case Project:
		return e.newProject(slog.LevelInfo, false)
	case ProjectQuiet:
		return e.newProject(slog.LevelWarn, false)
	case ProjectValidateResponses:
		return e.newProject(slog.LevelInfo, true)
	case Ogen:
		return newOgen(e)
	}
	return nil, fmt.Errorf("compare: unknown variant %q (have %v)", variant, Variants)
}

// newProject builds the engine exactly as cmd/ninjagold does, with the
// defaults of its flags (a JSON access log buffered for
// api.DefaultLogFlush, Prometheus metrics, at most 512 requests in
// flight), except that the log goes to a file next to the database rather
// than to stderr and rate limiting is off (one loopback client would be
// throttled to 50 requests a second). project-quiet is the same at
// --log-level warn: no access log line.
func (e *Env) newProject(level slog.Level, validateResponses bool) (http.Handler, error) {
	if e.logs == nil {
		f, err := os.OpenFile(e.logPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		e.logFile, e.logs = f, api.NewLogWriter(f, api.DefaultLogFlush)
	}
	reg := prometheus.NewRegistry()
	api.RegisterStoreMetrics(reg, e.Store)
	spec, err := ninjagold.Spec()
	if err != nil {
		return nil, err
	}
	srv := impl.New(e.Store, e.Dice, reg, spec)
	logs, err := api.NewLogHandler(e.logs, "json", level)
	if err != nil {
		return nil, err
	}
	return api.NewHandler(srv, api.Config{
		Spec:              spec,
		AdminToken:        AdminToken,
		Logger:            slog.New(logs),
		Metrics:           reg,
		MaxInFlight:       512,
		ValidateResponses: validateResponses,
	})
}

// newToken makes a player token the way impl does: 256 random bits.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "ngp_" + base64.RawURLEncoding.EncodeToString(b)
}
