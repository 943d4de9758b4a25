package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// The audit log is a hash chain (migration 00019). Audit inserts rows
// unsealed, inside the caller's transaction, so no change ever waits on a
// global lock. SealAudit, run after commit by every server once a second,
// serialises on the one-row table audit_chain (SELECT … FOR UPDATE on
// PostgreSQL; SQLite's write lock does the same), numbers the unsealed rows
// in id order and stores each one's
//
//	hash = SHA-256(canonical(row fields, seq) || previous hash)
//
// so two processes sealing at once never fork the chain: the second waits
// for the first and continues from its head. VerifyAudit recomputes the
// chain and reports the first row that does not match.

// chainBatch is how many rows one sealing transaction takes: small enough
// that the writers waiting behind it (the intake's group commits) wait a
// few milliseconds, not a second's worth of rows.
const chainBatch = 200

// chainRow is a row as the chain hashes it.
type chainRow struct {
	seq  int64
	hash string
	e    AuditEntry
}

// ChainHash is the hash of a sealed row: SHA-256 over a length-prefixed
// encoding of a version tag, seq, the row's stored fields and the previous
// row's hash, hex encoded. Length prefixes make the encoding unambiguous
// (no field can borrow text from its neighbour).
func ChainHash(prev string, seq int64, e AuditEntry) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	field("fanzha-audit-v1")
	field(strconv.FormatInt(seq, 10))
	field(strconv.FormatInt(e.ID, 10))
	field(strconv.FormatInt(db.Millis(e.At), 10))
	field(strconv.FormatInt(e.UserID, 10))
	field(e.Username)
	field(string(e.Role))
	field(e.IP)
	field(e.Action)
	field(e.ObjectType)
	field(e.ObjectID)
	field(e.Detail)
	field(e.RequestID)
	field(prev)
	return hex.EncodeToString(h.Sum(nil))
}

const chainColumns = `id, at, COALESCE(user_id, 0), username, role, ip, action, object_type, object_id, detail, request_id`

func scanChainEntry(rows *sql.Rows, extra ...any) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	dst := append([]any{&e.ID, &at, &e.UserID, &e.Username, &e.Role, &e.IP, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail, &e.RequestID}, extra...)
	if err := rows.Scan(dst...); err != nil {
		return e, err
	}
	e.At = db.Time(at)
	return e, nil
}

// SealAudit chains every unsealed audit row and returns how many it sealed.
// Any number of processes may call it at the same time.
func SealAudit(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	total := 0
	for {
		n, err := sealBatch(ctx, d, now)
		total += n
		if err != nil || n < chainBatch {
			return total, err
		}
	}
}

func sealBatch(ctx context.Context, d *db.DB, now time.Time) (int, error) {
	// Most ticks find nothing: look before taking the write lock.
	var pending int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT id FROM audit_log WHERE hash IS NULL LIMIT 1) p`).Scan(&pending); err != nil {
		return 0, fmt.Errorf("seal audit log: %w", err)
	}
	if pending == 0 {
		return 0, nil
	}
	n := 0
	err := d.InTx(ctx, func(tx *db.Tx) error {
		n = 0
		lock := `SELECT seq, hash FROM audit_chain WHERE id = 1`
		if tx.Dialect() == db.Postgres {
			lock += ` FOR UPDATE`
		}
		var seq int64
		var prev string
		if err := tx.QueryRow(ctx, lock).Scan(&seq, &prev); err != nil {
			return fmt.Errorf("audit chain head: %w", err)
		}
		// Read after the lock: on PostgreSQL (read committed) this
		// statement sees what a sealer that held the lock before committed.
		rows, err := tx.Query(ctx, `SELECT `+chainColumns+` FROM audit_log WHERE hash IS NULL ORDER BY id LIMIT `+strconv.Itoa(chainBatch))
		if err != nil {
			return err
		}
		var batch []AuditEntry
		for rows.Next() {
			e, err := scanChainEntry(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		// One statement parsed for the whole batch: parsing the UPDATE for
		// every row held the write lock for ~0.2 ms a row, so a second's
		// 500 rows stalled every writer behind the sealer for 100 ms.
		seal, err := tx.Prepare(ctx, `UPDATE audit_log SET seq = ?, hash = ? WHERE id = ? AND hash IS NULL`)
		if err != nil {
			return fmt.Errorf("seal audit log: %w", err)
		}
		defer seal.Close()
		for _, e := range batch {
			seq++
			prev = ChainHash(prev, seq, e)
			res, err := seal.ExecContext(ctx, seq, prev, e.ID)
			if err != nil {
				return fmt.Errorf("seal audit row %d: %w", e.ID, err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return fmt.Errorf("seal audit row %d: sealed by another process meanwhile", e.ID)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_chain SET seq = ?, hash = ?, sealed_at = ? WHERE id = 1`, seq, prev, db.Millis(now)); err != nil {
			return fmt.Errorf("audit chain head: %w", err)
		}
		n = len(batch)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seal audit log: %w", err)
	}
	return n, nil
}

// AuditHead returns the chain's head: the last sealed seq and its hash.
func AuditHead(ctx context.Context, q db.Querier) (ChainAnchor, error) {
	var a ChainAnchor
	if err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_chain WHERE id = 1`).Scan(&a.Seq, &a.Hash); err != nil {
		return a, fmt.Errorf("audit chain head: %w", err)
	}
	return a, nil
}

// AuditSealer seals the audit log every interval until ctx ends. It logs
// the chain's head at start and then hourly — the server's log, kept
// outside the database, holds anchors for `fanzha audit verify --anchor` —
// and verifies the whole chain at start and then every VerifyEvery, against
// the heads it has logged itself, logging a broken chain at ERROR.
type AuditSealer struct {
	DB  *db.DB
	Log *slog.Logger
	// VerifyEvery is how often the whole chain is verified; 0 means daily.
	VerifyEvery time.Duration
}

// headLogEvery is how often the sealer logs the head.
const headLogEvery = time.Hour

// Run seals at once, then every interval; it seals a last time when ctx
// ends so a clean shutdown leaves nothing unsealed.
func (s *AuditSealer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	verifyEvery := s.VerifyEvery
	if verifyEvery <= 0 {
		verifyEvery = 24 * time.Hour
	}
	var logged, verified time.Time
	var seen []ChainAnchor // heads this process logged, newest last
	verifying := make(chan struct{}, 1)
	for {
		if _, err := SealAudit(ctx, s.DB, time.Now()); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("audit log sealing failed", "err", err)
		}
		if s.Log != nil && time.Since(logged) >= headLogEvery && ctx.Err() == nil {
			if h, err := AuditHead(ctx, s.DB); err == nil && h.Seq > 0 {
				s.Log.Info("audit chain head", "anchor", fmt.Sprintf("%d:%s", h.Seq, h.Hash))
				logged = time.Now()
				if seen = append(seen, h); len(seen) > 48 {
					seen = seen[1:]
				}
			}
		}
		if s.Log != nil && time.Since(verified) >= verifyEvery && ctx.Err() == nil {
			select {
			case verifying <- struct{}{}: // one verification at a time, beside the sealing
				verified = time.Now()
				go s.verify(ctx, append([]ChainAnchor(nil), seen...), verifying)
			default:
			}
		}
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_, _ = SealAudit(fctx, s.DB, time.Now())
			cancel()
			return
		case <-t.C:
		}
	}
}

func (s *AuditSealer) verify(ctx context.Context, anchors []ChainAnchor, done chan struct{}) {
	defer func() { <-done }()
	rep, err := VerifyAudit(ctx, s.DB, anchors...)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			s.Log.Error("audit chain verification failed", "err", err)
		}
	case rep.Broken != nil:
		s.Log.Error("audit chain broken: run fanzha audit verify", "after_rows", rep.Sealed, "row_id", rep.Broken.Entry.ID, "reason", rep.Broken.Reason)
	default:
		s.Log.Info("audit chain verified", "rows", rep.Sealed, "anchors", len(anchors))
	}
}

// ChainBreak is the first row where the chain does not hold.
type ChainBreak struct {
	Seq    int64      `json:"seq"` // the seq the row should have had
	Entry  AuditEntry `json:"entry"`
	Reason string     `json:"reason"`
}

// ChainReport is what VerifyAudit found.
type ChainReport struct {
	Sealed   int64       `json:"sealed"`   // rows checked
	Unsealed int64       `json:"unsealed"` // rows written since the last seal
	HeadSeq  int64       `json:"head_seq"`
	HeadHash string      `json:"head_hash"`
	Broken   *ChainBreak `json:"broken,omitempty"`
}

// ChainAnchor is a head recorded outside the database (printed by `fanzha
// audit verify`, written into the duty log or a ticket): the chain must
// still hold that hash at that seq. An unkeyed chain can be recomputed by
// whoever can rewrite the whole table; an anchor kept elsewhere catches
// that.
type ChainAnchor struct {
	Seq  int64
	Hash string
}

// ParseAnchor reads an anchor written as SEQ:HASH.
func ParseAnchor(s string) (ChainAnchor, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != 64 {
		return ChainAnchor{}, domain.Invalid("anchor %q: write SEQ:HASH as printed by fanzha audit verify", s)
	}
	return ChainAnchor{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// OK reports whether the whole chain verified.
func (r ChainReport) OK() bool { return r.Broken == nil }

type chainReader interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// VerifyAudit recomputes the whole chain in seq order inside one snapshot
// and compares it with the stored hashes and the head: a changed row, a
// removed row (a gap in seq), rows removed from the end (the head is ahead
// of the last row) or a rewritten head all show as the first broken row.
// It does not write.
// Each anchor given must match the row at its seq.
func VerifyAudit(ctx context.Context, d *db.DB, anchors ...ChainAnchor) (ChainReport, error) {
	var rep ChainReport
	err := readSnapshot(ctx, d, func(r chainReader) error {
		var err error
		rep, err = verifyChain(ctx, r, anchors)
		return err
	})
	return rep, err
}

func verifyChain(ctx context.Context, r chainReader, anchors []ChainAnchor) (ChainReport, error) {
	want := map[int64]string{}
	for _, a := range anchors {
		want[a.Seq] = a.Hash
	}
	var rep ChainReport
	head, err := r.QueryContext(ctx, `SELECT seq, hash FROM audit_chain WHERE id = 1`)
	if err != nil {
		return rep, fmt.Errorf("audit chain head: %w", err)
	}
	found := head.Next()
	if found {
		err = head.Scan(&rep.HeadSeq, &rep.HeadHash)
	}
	head.Close()
	if err != nil {
		return rep, fmt.Errorf("audit chain head: %w", err)
	}
	if !found {
		rep.Broken = &ChainBreak{Reason: "the chain's head row (audit_chain) is missing"}
		return rep, nil
	}
	cnt, err := r.QueryContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE hash IS NULL OR seq IS NULL`)
	if err != nil {
		return rep, err
	}
	if cnt.Next() {
		err = cnt.Scan(&rep.Unsealed)
	}
	cnt.Close()
	if err != nil {
		return rep, err
	}
	rows, err := r.QueryContext(ctx, `SELECT `+chainColumns+`, seq, COALESCE(hash, '') FROM audit_log WHERE seq IS NOT NULL ORDER BY seq`)
	if err != nil {
		return rep, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	prev, next := "", int64(1)
	for rows.Next() {
		var cr chainRow
		e, err := scanChainEntry(rows, &cr.seq, &cr.hash)
		if err != nil {
			return rep, err
		}
		switch {
		case cr.seq != next:
			rep.Broken = &ChainBreak{Seq: next, Entry: e, Reason: fmt.Sprintf("row id %d has seq %d where %d was expected: rows %d…%d are missing", e.ID, cr.seq, next, next, cr.seq-1)}
		case ChainHash(prev, cr.seq, e) != cr.hash:
			rep.Broken = &ChainBreak{Seq: next, Entry: e, Reason: fmt.Sprintf("row id %d (seq %d) does not match its hash: the row, its hash or an earlier row was changed", e.ID, cr.seq)}
		case want[cr.seq] != "" && want[cr.seq] != cr.hash:
			rep.Broken = &ChainBreak{Seq: next, Entry: e, Reason: fmt.Sprintf("row id %d (seq %d) has hash %.16s…, recorded earlier as %.16s…: the log was rewritten up to here", e.ID, cr.seq, cr.hash, want[cr.seq])}
		}
		if rep.Broken != nil {
			return rep, nil
		}
		prev = cr.hash
		rep.Sealed++
		next++
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	for _, a := range anchors {
		if a.Seq > rep.Sealed {
			rep.Broken = &ChainBreak{Seq: rep.Sealed + 1, Reason: fmt.Sprintf("the chain ends at seq %d, but seq %d was recorded earlier: rows were removed", rep.Sealed, a.Seq)}
			return rep, nil
		}
	}
	if rep.HeadSeq != rep.Sealed || rep.HeadHash != prev {
		rep.Broken = &ChainBreak{Seq: rep.Sealed + 1, Reason: fmt.Sprintf("the chain ends at seq %d (hash %.16s…) but its head says seq %d (hash %.16s…): rows were removed from the end or the head was changed",
			rep.Sealed, prev, rep.HeadSeq, rep.HeadHash)}
	}
	return rep, nil
}

// readSnapshot runs fn in a read-only view of one instant (PostgreSQL:
// REPEATABLE READ; SQLite: a deferred read transaction under WAL), so a
// sealer running meanwhile cannot make the head and the rows disagree.
func readSnapshot(ctx context.Context, d *db.DB, fn func(r chainReader) error) error {
	if d.Dialect == db.Postgres {
		tx, err := d.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return fn(tx)
	}
	conn, err := d.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	return fn(conn)
}
