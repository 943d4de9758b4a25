package auth

import (
	"context"
	"fmt"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/db"
	"github.com/fanzha/fanzha/internal/domain"
)

// Principal is the caller of a request: the user, the node of the tree they
// are bound to (their jurisdiction) and how they authenticated.
type Principal struct {
	User  User
	Scope area.Node // the user's node; they see what lies under it
	Via   string    // "session" | "token" | "cli"
	// CSRF is the session's CSRF token (console sessions only).
	CSRF string
	// SessionID is the console session of the request (0 otherwise).
	SessionID int64
}

// LoadPrincipal builds the principal of a user.
func LoadPrincipal(ctx context.Context, q db.Querier, u User, via string) (*Principal, error) {
	n, err := area.Get(ctx, q, u.AreaID)
	if err != nil {
		return nil, fmt.Errorf("principal %s: %w", u.Username, err)
	}
	return &Principal{User: u, Scope: n, Via: via}, nil
}

// Can reports whether the principal's role has a capability.
func (p *Principal) Can(c Capability) bool { return p != nil && p.User.Role.Can(c) }

// Sees reports whether a node lies in the principal's jurisdiction.
func (p *Principal) Sees(n area.Node) bool { return p != nil && p.Scope.Contains(n) }

// SeesPath is Sees for a stored path.
func (p *Principal) SeesPath(path string) bool {
	return p != nil && len(path) >= len(p.Scope.Path) && path[:len(p.Scope.Path)] == p.Scope.Path
}

// Require returns ErrForbidden unless the principal has the capability.
func (p *Principal) Require(c Capability) error {
	if !p.Can(c) {
		return domain.Forbidden("当前角色无权执行此操作 (%s)", c)
	}
	return nil
}

// Masker returns the masking to apply to a response: unmasked only when the
// caller asked for it and the role allows it.
func (p *Principal) Masker(asked bool) Masker {
	return Masker{Unmasked: asked && p.Can(CapUnmask)}
}
