package api

import (
	"net/http"
	"strconv"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/web"
)

// The handlers of additions and corrections to a case after its report
// (internal/funds, case_parties.go): each reads the request, calls funds
// with the caller's scope and audit entry, and answers the case's parties
// masked for the caller.

type (
	// partiesBody is funds.Parties plus the id of what was added.
	partiesBody struct {
		ID int64 `json:"id,omitempty"` // the victim, transfer or linked account added
		funds.Parties
	}
	victimBody = funds.VictimInput
	// transferBody is funds.TransferInput with the time as text.
	transferBody struct {
		VictimID       *int64  `json:"victim_id,omitempty"`
		At             *string `json:"at,omitempty"` // RFC 3339, or 2006-01-02 15:04 Beijing time
		FromAccount    *string `json:"from_account,omitempty"`
		ToAccount      *string `json:"to_account,omitempty"`
		ToBank         *string `json:"to_bank,omitempty"`
		ToName         *string `json:"to_name,omitempty"`
		AmountFen      *int64  `json:"amount_fen,omitempty"`
		Amount         *string `json:"amount,omitempty"` // yuan, when amount_fen is not given
		Channel        *string `json:"channel,omitempty"`
		StatementRowID *int64  `json:"statement_row_id,omitempty"` // 0 on a correction: no match
		Reason         string  `json:"reason,omitempty"`
	}
)

func (b transferBody) input() (funds.TransferInput, error) {
	in := funds.TransferInput{VictimID: b.VictimID, FromAccount: b.FromAccount, ToAccount: b.ToAccount, ToBank: b.ToBank, ToName: b.ToName,
		AmountFen: b.AmountFen, Amount: b.Amount, Channel: b.Channel, StatementRowID: b.StatementRowID, Reason: b.Reason}
	if b.At != nil {
		at, err := funds.ParseTransferTime(*b.At)
		if err != nil {
			return in, err
		}
		in.At = at
	}
	return in, nil
}

// writeParties answers the case's parties, masked for the caller, with
// the id of what was added.
func (s *handler) writeParties(w http.ResponseWriter, r *http.Request, p *auth.Principal, caseID, added int64, status int) error {
	m, err := s.Masker(r, p, "case", strconv.FormatInt(caseID, 10))
	if err != nil {
		return err
	}
	parties, err := funds.CaseParties(r.Context(), s.DB, p.Scope, caseID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, status, partiesBody{ID: added, Parties: parties.Masked(m)})
	return nil
}

func (s *handler) handleCaseParties(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	parties, err := funds.CaseParties(r.Context(), s.DB, p.Scope, id)
	if err != nil {
		return err
	}
	m, err := s.ViewMasker(r, p, "case", id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, partiesBody{Parties: parties.Masked(m)})
	return nil
}

func (s *handler) handleAddVictim(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in victimBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	vid, err := funds.AddVictim(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in, s.Now())
	if err != nil {
		return err
	}
	return s.writeParties(w, r, p, id, vid, http.StatusCreated)
}

func (s *handler) handleCorrectVictim(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	vid, err := pathInt(r, "vid", "受害人")
	if err != nil {
		return err
	}
	var in victimBody
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	if err := funds.CorrectVictim(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, vid, in, s.Now()); err != nil {
		return err
	}
	return s.writeParties(w, r, p, id, 0, http.StatusOK)
}

func (s *handler) handleAddTransfer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var b transferBody
	if err := web.DecodeJSON(r, &b, 1<<14); err != nil {
		return err
	}
	in, err := b.input()
	if err != nil {
		return err
	}
	tid, err := funds.AddTransfer(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in, s.Now())
	if err != nil {
		return err
	}
	return s.writeParties(w, r, p, id, tid, http.StatusCreated)
}

func (s *handler) handleCorrectTransfer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	tid, err := pathInt(r, "tid", "转账")
	if err != nil {
		return err
	}
	var b transferBody
	if err := web.DecodeJSON(r, &b, 1<<14); err != nil {
		return err
	}
	in, err := b.input()
	if err != nil {
		return err
	}
	if err := funds.CorrectTransfer(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, tid, in, s.Now()); err != nil {
		return err
	}
	return s.writeParties(w, r, p, id, 0, http.StatusOK)
}

func (s *handler) handleRemoveTransfer(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	tid, err := pathInt(r, "tid", "转账")
	if err != nil {
		return err
	}
	if err := funds.RemoveTransfer(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, tid, r.URL.Query().Get("reason"), s.Now()); err != nil {
		return err
	}
	return s.writeParties(w, r, p, id, 0, http.StatusOK)
}

func (s *handler) handleAddCaseAccount(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in funds.CaseAccountInput
	if err := web.DecodeJSON(r, &in, 1<<14); err != nil {
		return err
	}
	aid, err := funds.AddCaseAccount(r.Context(), s.DB, p.Scope, s.AuditEntry(r, p), id, in, s.Now())
	if err != nil {
		return err
	}
	return s.writeParties(w, r, p, id, aid, http.StatusCreated)
}
