package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/fanzha/fanzha/internal/auth"
	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
	"github.com/fanzha/fanzha/internal/trace"
	"github.com/fanzha/fanzha/internal/web"
	"github.com/fanzha/fanzha/internal/zone"
)

// The fund trace of a case (资金穿透), its explanation of any amount, and
// stop-payment / freeze requests made from the trace's candidates: the use
// cases are partner.CaseTraceView, funds.CaseTrace.ExplainNode and
// partner.FreezeFromTrace; these handlers read the request and write the
// answer.
//
// Account numbers are card numbers: the API masks them unless the caller
// asks for ?unmask=1 (audited). Nodes therefore get opaque ids (n0, n1, …,
// stable for the same data and options) and a label; a request names its
// account by accounts.id, which the candidates carry.

// TraceOptions reads a trace's options from query parameters (or form
// fields): rule=fifo|proportional, libr=1, max_hops=N, max_lag=hours (or a
// Go duration such as 90m), as_of=RFC 3339 or "2006-01-02 15:04" (Beijing
// time).
func TraceOptions(get func(string) string) (trace.Options, error) {
	var opt trace.Options
	var err error
	if opt.Rule, err = trace.ParseRule(get("rule")); err != nil {
		return opt, web.Errorf(http.StatusBadRequest, "bad_rule", "分配规则 rule 只能是 fifo（先进先出）或 proportional（按比例）")
	}
	switch get("libr") {
	case "", "0", "false":
	case "1", "true":
		opt.LIBRCap = true
	default:
		return opt, web.Errorf(http.StatusBadRequest, "bad_libr", "libr 只能是 1 或 0（最低余额规则）")
	}
	if v := get("max_hops"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 50 {
			return opt, web.Errorf(http.StatusBadRequest, "bad_max_hops", "max_hops 应为 0–50 的整数（0 为不限）")
		}
		opt.MaxHops = n
	}
	if v := get("max_lag"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			h, herr := strconv.ParseFloat(v, 64)
			if herr != nil {
				return opt, web.Errorf(http.StatusBadRequest, "bad_max_lag", "max_lag 应为小时数（如 24）或时长（如 90m）")
			}
			d = time.Duration(h * float64(time.Hour))
		}
		if d < 0 {
			return opt, web.Errorf(http.StatusBadRequest, "bad_max_lag", "max_lag 不能为负")
		}
		opt.MaxLag = d
	}
	if v := get("as_of"); v != "" {
		// RFC 3339 carries its zone; the others are Beijing time.
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04"} {
			if t, err := time.ParseInLocation(layout, v, zone.Shanghai); err == nil {
				opt.AsOf = t
				break
			}
		}
		if opt.AsOf.IsZero() {
			return opt, web.Errorf(http.StatusBadRequest, "bad_as_of", "as_of 应为时间，如 2026-11-20 18:00（北京时间）或 RFC 3339")
		}
	}
	return opt, nil
}

func (s *handler) handleCaseTrace(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	opt, err := TraceOptions(r.URL.Query().Get)
	if err != nil {
		return err
	}
	m, err := s.Masker(r, p, "case_trace", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	v, err := partner.CaseTraceView(r.Context(), s.DB, p.Scope, id, opt, m, s.Now())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (s *handler) handleCaseTraceExplain(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	opt, err := TraceOptions(q.Get)
	if err != nil {
		return err
	}
	victim, err := strconv.ParseInt(q.Get("victim"), 10, 64)
	if err != nil {
		return web.Errorf(http.StatusBadRequest, "bad_victim", "请用 victim 指定受害人编号")
	}
	m, err := s.Masker(r, p, "case_trace", strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	ct, err := funds.TraceCaseInScope(r.Context(), s.DB, p.Scope, id, opt)
	if err != nil {
		return err
	}
	v, err := ct.ExplainNode(q.Get("node"), victim, m)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

// traceRequestIn asks for a stop-payment or freeze of a candidate account.
type traceRequestIn struct {
	AccountID int64  `json:"account_id"`
	Kind      string `json:"kind"`       // stop_payment | freeze
	UnitID    int64  `json:"unit_id"`    // 0: the account's bank
	AmountFen *int64 `json:"amount_fen"` // absent: the traced balance; 0: the whole balance
	Reason    string `json:"reason"`
	// The trace the candidate comes from.
	Rule    string `json:"rule"`
	LIBR    bool   `json:"libr"`
	MaxHops int    `json:"max_hops"`
	MaxLag  string `json:"max_lag"`
	AsOf    string `json:"as_of"`
	// Preview checks the request and answers what would be sent — with the
	// full account number for an officer who may unmask (audited as an
	// unmask) — without sending it: the console's confirmation shows it.
	Preview bool `json:"preview"`
}

func (s *handler) handleCaseTraceRequest(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := web.PathID(r)
	if err != nil {
		return err
	}
	var in traceRequestIn
	if err := web.DecodeJSON(r, &in, 1<<16); err != nil {
		return err
	}
	opts := map[string]string{"rule": in.Rule, "max_hops": strconv.Itoa(in.MaxHops), "max_lag": in.MaxLag, "as_of": in.AsOf}
	if in.LIBR {
		opts["libr"] = "1"
	}
	opt, err := TraceOptions(func(k string) string { return opts[k] })
	if err != nil {
		return err
	}
	out, err := partner.FreezeFromTrace(r.Context(), s.DB, p.Scope, auth.AuditFor(p, web.ClientIP(r), web.RequestID(r.Context())), p.Can(auth.CapUnmask),
		id, opt, partner.TraceRequest{AccountID: in.AccountID, Kind: in.Kind, UnitID: in.UnitID, AmountFen: in.AmountFen, Reason: in.Reason,
			Preview: in.Preview}, s.Now())
	if err != nil {
		return err
	}
	if in.Preview {
		web.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	web.WriteJSON(w, http.StatusCreated, out)
	return nil
}
