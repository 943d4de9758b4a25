package web

import (
	"context"
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/settings"
	"github.com/fanzha/fanzha/internal/warning"
)

// The warning intake the server holds (one per process) and what the doors
// need of it: the policy in force, the caller as the intake's actor.

// WarningIntake returns the intake pipeline, built on first use (the demo
// county's tree may be generated after the server starts).
func (s *Server) WarningIntake(ctx context.Context) (*warning.Intake, error) {
	s.intakeMu.Lock()
	defer s.intakeMu.Unlock()
	if s.intake != nil {
		return s.intake, nil
	}
	in, err := warning.NewIntake(ctx, s.DB, s.policy, s.Now)
	if err != nil {
		return nil, err
	}
	// The deadlines and score points in force follow 系统设置: read now
	// (after NewIntake read the generations, so a change in between is
	// read again at the next batch) and whenever the settings change.
	in.PolicySource = s.SettingsStore.Policy
	p, err := s.SettingsStore.Policy(ctx)
	if err != nil {
		return nil, err
	}
	in.SetPolicy(p)
	in.OnStored = s.Publish
	s.intake = in
	return in, nil
}

// PolicyNow is the warning policy in force (系统设置 under the start-up
// flags), for contacts and outcomes that set on-site deadlines.
func (s *Server) PolicyNow(ctx context.Context) warning.Policy {
	p, err := s.SettingsStore.CachedPolicy(ctx)
	if err != nil {
		s.Log.Error("read settings; using the start-up deadlines", "err", err)
		return s.policy
	}
	return p
}

// Settings is the store of the settings in force.
func (s *Server) Settings() *settings.Store { return s.SettingsStore }

// Intake gives other doors (the command line, the stream consumer, the
// demo trickle) the same pipeline the API uses.
func (s *Server) Intake(ctx context.Context) (*warning.Intake, error) { return s.WarningIntake(ctx) }

// PublishWarnings tells open duty boards that warnings changed.
func (s *Server) PublishWarnings(ids []int64) { s.Publish(ids) }

func (s *Server) Actor(r *http.Request, p *auth.Principal) warning.Actor {
	return warning.Actor{UserID: p.User.ID, Scope: p.Scope, Audit: auth.AuditFor(p, ClientIP(r), RequestID(r.Context()))}
}
