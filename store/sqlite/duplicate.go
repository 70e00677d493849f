package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// withDuplicate is err, a migration's, with the key that broke a unique
// index it built, when it is one: SQLite's message names the columns
// ("UNIQUE constraint failed: locations.name") but not the value two rows
// share, which the operator must find to rename one. The words follow
// PostgreSQL's detail ("Key (name)=(Farm) is duplicated."), so the two
// stores' failures read alike. The key is looked for among the table's
// rows as they are, which is the index's key only when the index is on
// the columns as stored, of every row: a migration that has a WHERE (a
// partial index) or a COLLATE anywhere gets no key named, rather than a
// wrong one.
func withDuplicate(ctx context.Context, tx *sql.Tx, migration string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return err
	}
	if partialOrCollated.MatchString(withoutComments(migration)) {
		return err
	}
	table, cols, ok := uniqueColumns(se.Error())
	if !ok {
		return err
	}
	quoted := make([]string, len(cols))
	notNull := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
		notNull[i] = quoted[i] + ` IS NOT NULL`
	}
	list := strings.Join(quoted, ", ")
	// NULLs never break a unique index; the window counts the groups left.
	rows, qerr := tx.QueryContext(ctx, `SELECT `+list+`, count(*) OVER () FROM `+quoteIdent(table)+
		` WHERE `+strings.Join(notNull, ` AND `)+` GROUP BY `+list+` HAVING count(*) > 1 ORDER BY `+list+` LIMIT 1`)
	if qerr != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		return err
	}
	vals := make([]any, len(cols)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var groups int64
	ptrs[len(cols)] = &groups
	if rows.Scan(ptrs...) != nil {
		return err
	}
	shown := make([]string, len(cols))
	for i, v := range vals[:len(cols)] {
		if b, ok := v.([]byte); ok {
			v = fmt.Sprintf("x'%x'", b) // a BLOB, as SQL writes one
		}
		shown[i] = fmt.Sprint(v)
	}
	detail := fmt.Sprintf("Key (%s)=(%s) is duplicated.", strings.Join(cols, ", "), strings.Join(shown, ", "))
	switch more := groups - 1; more {
	case 0:
	case 1:
		detail += " 1 other key is too."
	default:
		detail += fmt.Sprintf(" %d other keys are too.", more)
	}
	return fmt.Errorf("%w: %s", err, detail)
}

// partialOrCollated finds a WHERE or a COLLATE in a migration's SQL.
var partialOrCollated = regexp.MustCompile(`(?i)\b(WHERE|COLLATE)\b`)

// withoutComments is sql without its comments ("-- to the line's end" and
// "/* ... */"), so that a word in one is not taken for SQL. (A "--" inside
// a string cuts the line short: then less SQL is looked at, and a key may
// be named that a WHERE after it would have kept back; no migration of
// this store writes one.)
func withoutComments(sql string) string {
	var b strings.Builder
	for len(sql) > 0 {
		line, block := strings.Index(sql, "--"), strings.Index(sql, "/*")
		switch {
		case line < 0 && block < 0:
			b.WriteString(sql)
			sql = ""
		case block < 0 || line >= 0 && line < block:
			b.WriteString(sql[:line])
			if end := strings.IndexByte(sql[line:], '\n'); end >= 0 {
				sql = sql[line+end:]
			} else {
				sql = ""
			}
		default:
			b.WriteString(sql[:block])
			if end := strings.Index(sql[block+2:], "*/"); end >= 0 {
				sql = sql[block+2+end+2:]
			} else {
				sql = ""
			}
		}
	}
	return b.String()
}

// uniqueColumns reads the table and the columns out of SQLite's message
// for a broken unique index: "UNIQUE constraint failed: t.a, t.b".
func uniqueColumns(msg string) (table string, cols []string, ok bool) {
	const prefix = "UNIQUE constraint failed: "
	i := strings.Index(msg, prefix)
	if i < 0 {
		return "", nil, false
	}
	rest := msg[i+len(prefix):]
	if j := strings.Index(rest, " ("); j >= 0 {
		rest = rest[:j] // modernc.org/sqlite appends the code: " (2067)"
	}
	for _, tc := range strings.Split(rest, ", ") {
		t, c, found := strings.Cut(tc, ".")
		if !found || t == "" || c == "" || (table != "" && t != table) {
			return "", nil, false
		}
		table = t
		cols = append(cols, c)
	}
	return table, cols, true
}

// quoteIdent is name as an SQL identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
