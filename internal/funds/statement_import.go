package funds

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
	"github.com/fanzha/fanzha/internal/tabular"
)

// RowError is a statement row that could not be imported.
type RowError struct {
	File   string `json:"file"`
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// ImportReport tells what a statement import did.
type ImportReport struct {
	ImportID   int64      `json:"import_id,omitempty"`
	File       string     `json:"file"`
	Mapping    string     `json:"mapping"`
	Encoding   string     `json:"encoding"`
	Rows       int64      `json:"rows"`       // data rows read
	Stored     int64      `json:"stored"`     // new rows stored
	Duplicates int64      `json:"duplicates"` // rows already stored (overlapping statements)
	Bad        int64      `json:"bad"`
	Committed  bool       `json:"committed"` // false when all-or-nothing refused the file
	Accounts   int        `json:"accounts"`  // distinct statement accounts in the file
	Errors     []RowError `json:"errors"`    // the first MaxReportedErrors bad rows
}

// MaxReportedErrors bounds the bad rows listed in a report (all are counted).
const MaxReportedErrors = 1000

// ImportOptions controls a statement import.
type ImportOptions struct {
	Mapping      string // a mapping name; empty detects it from the header
	AllOrNothing bool   // refuse the whole file when any row is bad
	UserID       int64
	Now          time.Time
}

// Mappings returns the built-in mappings and those saved by users.
func Mappings(ctx context.Context, q db.Querier) ([]Mapping, error) {
	out := append([]Mapping(nil), BuiltinMappings...)
	rows, err := q.Query(ctx, `SELECT spec FROM statement_mappings ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read saved mappings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var spec string
		if err := rows.Scan(&spec); err != nil {
			return nil, err
		}
		m, err := ParseMapping([]byte(spec))
		if err != nil {
			continue
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveMapping stores a user's mapping (a bank's new dialect).
func SaveMapping(ctx context.Context, q db.Querier, m Mapping, userID int64, now time.Time) error {
	if err := m.Validate(); err != nil {
		return domain.Invalid("%v", err)
	}
	for _, b := range BuiltinMappings {
		if b.Name == m.Name {
			return domain.Conflict("%s 是内置映射的名称", m.Name)
		}
	}
	spec, _ := json.Marshal(m)
	var uid any
	if userID != 0 {
		uid = userID
	}
	_, err := q.Exec(ctx, `INSERT INTO statement_mappings (name, spec, created_by, created_at) VALUES (?,?,?,?)
		ON CONFLICT (name) DO UPDATE SET spec = excluded.spec`, m.Name, string(spec), uid, db.Millis(now))
	if err != nil {
		return fmt.Errorf("save mapping: %w", err)
	}
	return nil
}

// rowKey identifies a transaction across overlapping statements: the same
// account, time, amount, counterparty, balance and summary. occurrence
// separates genuinely repeated identical transactions within one statement
// (the n-th identical row of a file matches the n-th of another file).
func rowKey(r StatementRow, occurrence int) string {
	h := sha256.New()
	bal := "-"
	if r.BalanceFen != nil {
		bal = strconv.FormatInt(*r.BalanceFen, 10)
	}
	fmt.Fprintf(h, "%s|%d|%d|%s|%s|%s|%d", r.Account, r.At.UnixMilli(), r.AmountFen, r.Counter, bal, r.Summary, occurrence)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// importBatch is how many statement rows one INSERT stores (15 values a
// row: well under SQLite's and PostgreSQL's limits of bound values).
const importBatch = 200

// errRefused rolls back an all-or-nothing import with bad rows.
var errRefused = errors.New("refused")

// ImportStatement streams a statement file into statement_rows in one
// transaction: rows are read, parsed and inserted 200 at a time, so a file
// of millions of rows never sits in memory. Duplicates of rows already
// stored are counted and skipped; bad rows are reported with file, row and
// reason and skipped — or, with AllOrNothing, the whole file is refused.
func ImportStatement(ctx context.Context, d *db.DB, name string, r io.Reader, opt ImportOptions) (ImportReport, error) {
	rep := ImportReport{File: name, Errors: []RowError{}}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	tr, err := tabular.Open(name, r)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	defer tr.Close()
	rep.Encoding = tr.Encoding()
	head, _, err := tr.Next()
	if errors.Is(err, io.EOF) {
		return rep, domain.Invalid("%s: 文件为空", name)
	}
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	maps, err := Mappings(ctx, d)
	if err != nil {
		return rep, err
	}
	bm, err := chooseMapping(maps, opt.Mapping, tabular.NewHeader(head), head)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", name, err)
	}
	rep.Mapping = bm.m.Name
	bad := func(row int, reason string) {
		rep.Bad++
		if len(rep.Errors) < MaxReportedErrors {
			rep.Errors = append(rep.Errors, RowError{File: name, Row: row, Reason: reason})
		}
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		var importID int64
		var uid any
		if opt.UserID != 0 {
			uid = opt.UserID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO statement_imports (at, user_id, file_name, mapping, encoding) VALUES (?,?,?,?,?) RETURNING id`,
			db.Millis(opt.Now), uid, name, bm.m.Name, rep.Encoding).Scan(&importID); err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		acct, err := tx.Prepare(ctx, `INSERT INTO accounts (number, holder_name, branch) VALUES (?,?,?)
			ON CONFLICT (number) DO UPDATE SET
			holder_name = CASE WHEN accounts.holder_name = '' THEN excluded.holder_name ELSE accounts.holder_name END,
			branch = CASE WHEN accounts.branch = '' THEN excluded.branch ELSE accounts.branch END`)
		if err != nil {
			return err
		}
		defer acct.Close()
		seenAcct := map[string]bool{}
		added := map[string]StatementFlow{} // rows stored per account
		// Occurrences of each row key in this file, by the key's first 8
		// bytes (32 bytes an entry instead of a string: a million-row file
		// keeps about 40 MB here; a collision of 64-bit prefixes would only
		// store a row as new instead of as a duplicate).
		occ := map[uint64]int32{}
		// Rows are inserted importBatch at a time (one statement, one
		// round trip); RETURNING names the rows stored, not duplicates.
		var pending []any
		pendingRows, firstLine := 0, 0
		flush := func() error {
			if pendingRows == 0 {
				return nil
			}
			q := `INSERT INTO statement_rows (account, at, amount_fen, balance_fen, counter_account, counter_name,
			counter_bank, summary, channel, branch, ip, mac, import_id, row_key, source_row) VALUES ` +
				strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?),", pendingRows-1) + `(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (row_key) DO NOTHING RETURNING account, amount_fen, counter_account`
			rows, err := tx.Query(ctx, q, pending...)
			if err != nil {
				return fmt.Errorf("%s rows %d–: %w", name, firstLine, err)
			}
			stored := 0
			for rows.Next() {
				var a, counter string
				var amount int64
				if err := rows.Scan(&a, &amount, &counter); err != nil {
					rows.Close()
					return fmt.Errorf("%s rows %d–: %w", name, firstLine, err)
				}
				f := added[a]
				f.Add(amount, counter)
				added[a] = f
				stored++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("%s rows %d–: %w", name, firstLine, err)
			}
			rep.Stored += int64(stored)
			rep.Duplicates += int64(pendingRows - stored)
			pending, pendingRows = pending[:0], 0
			return nil
		}
		store := func(sr StatementRow, line int) error {
			base := rowKey(sr, 0)
			h, _ := strconv.ParseUint(base[:16], 16, 64)
			n := int(occ[h])
			occ[h] = int32(n + 1)
			key := base
			if n > 0 {
				key = rowKey(sr, n)
			}
			var bal any
			if sr.BalanceFen != nil {
				bal = *sr.BalanceFen
			}
			if pendingRows == 0 {
				firstLine = line
			}
			pending = append(pending, sr.Account, db.Millis(sr.At), sr.AmountFen, bal, sr.Counter, sr.CounterName,
				sr.CounterBank, sr.Summary, sr.Channel, sr.Branch, sr.IP, sr.MAC, importID, key, line)
			pendingRows++
			if !seenAcct[sr.Account] {
				seenAcct[sr.Account] = true
				if _, err := acct.ExecContext(ctx, sr.Account, sr.Holder, sr.AccountBranch); err != nil {
					return fmt.Errorf("%s row %d: account: %w", name, line, err)
				}
			}
			if pendingRows == importBatch {
				return flush()
			}
			return nil
		}
		for {
			row, line, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				// A broken CSV quote: everything after it is unreliable.
				bad(line, err.Error())
				break
			}
			rep.Rows++
			sr, perr := bm.parse(row)
			if perr != nil {
				bad(line, perr.Error())
				continue
			}
			if err := store(sr, line); err != nil {
				return err
			}
			if bm.m.Transfer && sr.Counter != "" {
				// The payee's side of the transfer.
				in := StatementRow{Account: sr.Counter, At: sr.At, AmountFen: -sr.AmountFen, Counter: sr.Account, CounterName: sr.Holder,
					Summary: sr.Summary, Channel: sr.Channel, Branch: sr.Branch, IP: sr.IP, MAC: sr.MAC}
				if err := store(in, line); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		rep.Accounts = len(seenAcct)
		if opt.AllOrNothing && rep.Bad > 0 {
			return errRefused
		}
		errs, _ := json.Marshal(rep.Errors)
		if _, err := tx.Exec(ctx, `UPDATE statement_imports SET rows_total = ?, rows_ok = ?, rows_bad = ?, rows_dup = ?, errors = ? WHERE id = ?`,
			rep.Rows, rep.Stored, rep.Bad, rep.Duplicates, string(errs), importID); err != nil {
			return err
		}
		rep.ImportID = importID
		return NoteStatementRows(ctx, tx, importID, added)
	})
	if errors.Is(err, errRefused) {
		rep.Stored, rep.Duplicates = 0, 0
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

// StatementRowsOf reads the stored rows of an account in time order.
func StatementRowsOf(ctx context.Context, q db.Querier, account string) ([]StatementRow, error) {
	rows, err := q.Query(ctx, `SELECT account, at, amount_fen, balance_fen, counter_account, counter_name, counter_bank,
		summary, channel, branch, ip, mac FROM statement_rows WHERE account = ? ORDER BY at, id`, account)
	if err != nil {
		return nil, fmt.Errorf("statement of %s: %w", account, err)
	}
	defer rows.Close()
	var out []StatementRow
	for rows.Next() {
		var r StatementRow
		var at int64
		var bal sql.NullInt64
		if err := rows.Scan(&r.Account, &at, &r.AmountFen, &bal, &r.Counter, &r.CounterName, &r.CounterBank,
			&r.Summary, &r.Channel, &r.Branch, &r.IP, &r.MAC); err != nil {
			return nil, err
		}
		r.At = db.Time(at)
		if bal.Valid {
			v := bal.Int64
			r.BalanceFen = &v
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
