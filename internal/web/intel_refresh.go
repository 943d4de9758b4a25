package web

import (
	"context"
	"time"

	"github.com/fanzha/fanzha/internal/intel"
)

// Scores are derived from the statements: after an import the server
// rescores accounts and numbers in the background, once for any number of
// imports that arrive while a rescore runs.

func (s *Server) rescoreSoon() {
	s.rescoreOnce.Do(func() {
		s.rescoreKick = make(chan struct{}, 1)
		go func() {
			for range s.rescoreKick {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				t0 := time.Now()
				res, err := intel.RescoreAll(ctx, s.DB, s.Now())
				cancel()
				if err != nil {
					s.Log.Error("rescore after a statement import", "err", err)
					continue
				}
				IntelGraphs.Invalidate()
				s.Log.Info("accounts rescored after a statement import", "accounts", res.Accounts, "watch", res.Watch, "phones", res.Phones, "seconds", time.Since(t0).Seconds())
			}
		}()
	})
	select {
	case s.rescoreKick <- struct{}{}:
	default: // one is already pending
	}
}
