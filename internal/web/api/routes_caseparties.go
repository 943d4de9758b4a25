package api

import (
	"net/http"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
)

// The route table's additions and corrections to a case after its report:
// victims, losing transfers (matched to statement rows) and linked
// accounts (internal/funds, case_parties.go).

func (s *handler) casePartiesAPIRoutes() []APIRoute {
	const changed = " Recomputes the victim's and the case's loss, drops the case's cached trace and is reported by the trace as a change since its last look (changes); audited and on the case's timeline. A case outside the caller's jurisdiction is 404; a rule broken is 422 with the field named in Chinese."
	return []APIRoute{
		{Method: "GET", Path: "/api/v1/cases/{id}/parties", Cap: auth.CapCaseRead, Handler: s.handleCaseParties, Tag: "cases",
			Summary: "当事人、转账与变更记录", Description: "The case's victims, losing transfers (statement_row_id when matched to a statement row), linked accounts, what changed since its trace was last looked at (trace_changes) and the history of changes after the report, removed transfers included. Masked unless ?unmask=1; the read is audited.",
			Query: []apiParam{qUnmask}, Response: partiesBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/victims", Cap: auth.CapCaseWrite, Handler: s.handleAddVictim, Tag: "cases",
			Summary: "补充受害人", Description: "Adds a victim: name required; sex M or F, birth_date YYYY-MM-DD, id_number (18 characters), phone, address, occupation, area_id (default the case's), loss (yuan) or loss_fen while the victim has no transfers." + changed,
			Request: victimBody{}, Response: partiesBody{}, Status: http.StatusCreated},
		{Method: "PATCH", Path: "/api/v1/cases/{id}/victims/{vid}", Cap: auth.CapCaseWrite, Handler: s.handleCorrectVictim, Tag: "cases",
			Summary: "更正受害人", Description: "Corrects the fields given (others keep their value), with an optional reason. The loss of a victim with transfers is their sum and cannot be given. A victim not of this case is 404; nothing changed is 422." + changed,
			Request: victimBody{}, Response: partiesBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/transfers", Cap: auth.CapCaseWrite, Handler: s.handleAddTransfer, Tag: "cases",
			Summary: "补充被骗转账", Description: "Adds a losing transfer: victim_id (default the only victim), at (RFC 3339 or 2006-01-02 15:04 Beijing time), amount (yuan) or amount_fen, to_account, from_account, to_bank (default from the card number), to_name, channel. statement_row_id matches it to the statement row showing it (the receiving account's incoming row or the victim's outgoing row, same amount, within a day); fields left out are read from the row. A row already matched is 409." + changed,
			Request: transferBody{}, Response: partiesBody{}, Status: http.StatusCreated},
		{Method: "PATCH", Path: "/api/v1/cases/{id}/transfers/{tid}", Cap: auth.CapCaseWrite, Handler: s.handleCorrectTransfer, Tag: "cases",
			Summary: "更正被骗转账", Description: "Corrects the fields given, with an optional reason; statement_row_id 0 takes the match away. The history keeps the transfer as it was. A transfer not of this case is 404." + changed,
			Request: transferBody{}, Response: partiesBody{}},
		{Method: "DELETE", Path: "/api/v1/cases/{id}/transfers/{tid}", Cap: auth.CapCaseWrite, Handler: s.handleRemoveTransfer, Tag: "cases",
			Summary: "删除被骗转账", Description: "Removes a transfer entered by mistake; ?reason= is required (422 without). The history keeps it with the reason." + changed,
			Query: []apiParam{{"reason", "string", "why the transfer is removed (required)"}}, Response: partiesBody{}},
		{Method: "POST", Path: "/api/v1/cases/{id}/accounts", Cap: auth.CapCaseWrite, Handler: s.handleAddCaseAccount, Tag: "cases",
			Summary: "添加涉案账户", Description: "Links an account to the case (account, kind receiving | mule | suspect | platform | other, bank, holder_name, note). The same account twice is 409. Not a trace input; audited and on the timeline.",
			Request: funds.CaseAccountInput{}, Response: partiesBody{}, Status: http.StatusCreated},
	}
}
