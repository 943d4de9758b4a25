package intel

import (
	"context"
	"time"

	"github.com/fanzha/fanzha/internal/area"
	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/db"
)

// LabelInput is an analyst's label as the API and the console give it: an
// account of the watch list by id (read in the caller's jurisdiction), or a
// subject (account or phone number) by kind and number.
type LabelInput struct {
	Kind      string `json:"kind"` // account | phone; default account
	Subject   string `json:"subject"`
	AccountID int64  `json:"account_id"` // instead of kind and subject
	Label     string `json:"label"`      // mule | cleared
	Note      string `json:"note"`
}

// Label records a label (SetLabel); an account named by id outside scope
// is not found.
func Label(ctx context.Context, d *db.DB, scope area.Node, who auth.AuditEntry, in LabelInput, now time.Time) error {
	if in.AccountID != 0 {
		num, err := AccountByID(ctx, d, scope, in.AccountID)
		if err != nil {
			return err
		}
		in.Kind, in.Subject = KindAccount, num
	}
	if in.Kind == "" {
		in.Kind = KindAccount
	}
	return SetLabel(ctx, d, who, in.Kind, in.Subject, in.Label, in.Note, now)
}
