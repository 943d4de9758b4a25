package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/fanzha/fanzha/internal/db"
)

// The duty boards of every replica hear of every warning change: each
// server tells the others the ids it publishes over PostgreSQL
// LISTEN/NOTIFY (db.Notify on channel "warnings"), and passes on what it
// hears from the others to its own boards. A notice is a hint — each board
// re-reads what its user may see — so one lost while a connection is
// re-established is caught up by the board's periodic refresh. On SQLite
// (one process) nothing is sent.

const liveChannel = "warnings"

// MaxNotice keeps a payload under PostgreSQL's 8,000-byte limit.
const MaxNotice = 7800

// newOrigin names this process in its notices, so it skips its own.
func newOrigin() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Publish tells this server's boards, and (when ListenReplicas runs) the
// other replicas', that these warnings changed.
func (s *Server) Publish(ids []int64) {
	if len(ids) == 0 {
		return
	}
	s.Hub.Publish(ids)
	s.Hub.Mu.Lock()
	out := s.Hub.out
	s.Hub.Mu.Unlock()
	if out == nil {
		return
	}
	select {
	case out <- ids:
	default: // the sender is behind: the boards' periodic refresh catches up
	}
}

// Notices encodes ids as "origin:id,id,…" payloads of at most maxNotice
// bytes.
func Notices(origin string, ids []int64) []string {
	var out []string
	var b strings.Builder
	for _, id := range ids {
		if b.Len() > 0 && b.Len()+21 > MaxNotice {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString(origin)
			b.WriteByte(':')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// ParseNotice is the inverse of notices; ok is false for a payload that is
// not one.
func ParseNotice(p string) (origin string, ids []int64, ok bool) {
	origin, list, found := strings.Cut(p, ":")
	if !found || origin == "" {
		return "", nil, false
	}
	for _, f := range strings.Split(list, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return "", nil, false
		}
		ids = append(ids, id)
	}
	return origin, ids, true
}

// ListenReplicas links this server's boards with the other replicas' on
// one PostgreSQL until ctx ends: it sends what this server publishes and
// passes on what the others do. ready, when not nil, is closed once the
// listener is in place. On SQLite it returns at once.
func (s *Server) ListenReplicas(ctx context.Context, ready chan<- struct{}) {
	if s.DB.Dialect != db.Postgres {
		if ready != nil {
			close(ready)
		}
		return
	}
	out := make(chan []int64, 256)
	s.Hub.Mu.Lock()
	s.Hub.out = out
	s.Hub.Mu.Unlock()
	defer func() {
		s.Hub.Mu.Lock()
		s.Hub.out = nil
		s.Hub.Mu.Unlock()
	}()
	go s.sendNotices(ctx, out)
	s.DB.Listen(ctx, liveChannel, func(p string) {
		origin, ids, ok := ParseNotice(p)
		if !ok || origin == s.Hub.origin {
			return
		}
		s.Hub.Publish(ids)
	}, ready, func(err error) { s.Log.Warn("live board: listening to other replicas", "err", err) })
}

// sendNotices sends what this server publishes to the other replicas,
// merging what queued up while the last notice was being sent.
func (s *Server) sendNotices(ctx context.Context, out <-chan []int64) {
	for {
		var ids []int64
		select {
		case <-ctx.Done():
			return
		case ids = <-out:
		}
	drain:
		for len(ids) < 10000 {
			select {
			case more := <-out:
				ids = append(ids, more...)
			default:
				break drain
			}
		}
		for _, p := range Notices(s.Hub.origin, ids) {
			nctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := s.DB.Notify(nctx, liveChannel, p)
			cancel()
			if err != nil && ctx.Err() == nil {
				s.Log.Warn("live board: telling other replicas", "err", err)
			}
		}
	}
}
